// How bench/ledger.mjs reports: figures formatted, the invariants a run
// held, and the summary that closes a store's run (each service's best and
// median round, and the ratios to plain the goal is judged on).
export const fmt = (n, digits = 0) =>
  Number(n).toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Minor units of EUR as `1,234.56`. */
const eur = (minor) => {
  const negative = minor < 0n;
  const absolute = negative ? -minor : minor;
  return `${negative ? '-' : ''}${fmt(absolute / 100n)}.${(absolute % 100n).toString().padStart(2, '0')}`;
};

export function describeInvariants({ audit, sampled, tally, accruals }) {
  const [a, b] = accruals;
  return [
    `sum ${audit.balanceSum}, ${audit.unbalancedTransfers} unbalanced, ${audit.balanceMismatches} mismatched`,
    `lowest headroom ${eur(sampled.lowest ?? 0n)} EUR over ${sampled.samples} samples (${audit.belowOverdraft} below at the end)`,
    `${audit.deposits.booked.count} deposits ${eur(audit.deposits.booked.total)} EUR = funding ${eur(-audit.system.funding)}`,
    `${audit.transfers.transfer.count} transfers = ${tally.posted} first answers = ${audit.transferKeys.count} keys`,
    `interest: ${audit.accruals.count} accruals for ${audit.customers} accounts (runtimes ${a.accrued} + ${b.accrued}), ${audit.transfers.interest.count} paid = ${eur(audit.accruals.total)} EUR = interest account ${eur(-audit.system.interest)}`,
  ].join('; ');
}

export const GOAL = 0.95;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * The lines that close a store's run: each service's best and median round,
 * and guarded / plain and envward / plain from both. The best round is the
 * one least slowed by other work on a shared machine; the median shows how
 * far that can be trusted. The goal counts as met only when the median
 * ratio meets it too. The CPU ratio (plain's CPU per transfer over the
 * service's) is printed beside them: on a busy machine it moves less.
 */
export function summarise(dialect, results) {
  const rates = Object.fromEntries(
    Object.entries(results).map(([mode, list]) => {
      const perSecond = list.map((result) => result.transfersPerSecond);
      const cpu = list.map((result) => result.cpuPerTransfer);
      return [mode, { best: Math.max(...perSecond), median: median(perSecond), all: perSecond, cpu: median(cpu) }];
    }),
  );
  const lines = Object.entries(rates).map(
    ([mode, rate]) =>
      `${dialect.padEnd(8)} ${mode.padEnd(8)} best ${fmt(rate.best).padStart(6)}, median ${fmt(rate.median).padStart(6)} transfers/s (rounds: ${rate.all.map((n) => fmt(n)).join(', ')}); median ${fmt(rate.cpu)} µs CPU per transfer`,
  );
  if (!rates.plain) return lines;
  for (const mode of ['guarded', 'envward'].filter((name) => rates[name])) {
    const best = rates[mode].best / rates.plain.best;
    const middle = rates[mode].median / rates.plain.median;
    const cpu = rates.plain.cpu / rates[mode].cpu;
    const verdict =
      best >= GOAL && middle >= GOAL ? 'met' : best >= GOAL || middle >= GOAL ? 'met on one figure only' : 'not met';
    lines.push(
      `${dialect.padEnd(8)} ${mode}/plain: best ${best.toFixed(3)}, median ${middle.toFixed(3)}, by CPU per transfer ${cpu.toFixed(3)}${mode === 'envward' ? ` (goal >= ${GOAL}: ${verdict})` : ''}`,
    );
  }
  return lines;
}
