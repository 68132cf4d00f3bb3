/**
 * `npm run ledger:admin`: the bank's privileged acts, never exposed through
 * the public API. Each needs a reason and is recorded in envward's audit log
 * of the environment (`envward audit list --action ledger.overdraft`).
 *
 *   npm run ledger:admin -- set-overdraft <account> <minor units> --reason "credit review CR-7" [--env E] [--root DIR]
 *   npm run ledger:admin -- invariants [--env E]
 *   npm run ledger:admin -- load-sample --customers N --reason "..." [--env E] [--root DIR]
 */
import { parseArgs } from 'node:util';
import { EnvwardError } from 'envward';
import { ledgerInvariants } from './invariants.js';
import { LedgerError } from './ledger.js';
import { loadSampleCustomers } from './load-sample.js';
import { formatMinor } from './money.js';
import { openLedger } from './open-ledger.js';

const USAGE = `usage:
  npm run ledger:admin -- set-overdraft <account> <minor units> --reason "..." [--env E] [--root DIR]
  npm run ledger:admin -- invariants [--env E] [--root DIR]
  npm run ledger:admin -- load-sample --customers N --reason "..." [--env E] [--root DIR]
`;

const MAX_SAMPLE = 10_000_000;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      env: { type: 'string' },
      root: { type: 'string' },
      reason: { type: 'string' },
      customers: { type: 'string' },
    },
  });
  const [command, ...rest] = positionals;
  if (command !== 'set-overdraft' && command !== 'invariants' && command !== 'load-sample') {
    process.stderr.write(USAGE);
    return 2;
  }
  const customers = Number(values.customers);
  if (
    command === 'load-sample' &&
    (!/^[1-9][0-9]*$/.test(values.customers ?? '') || customers > MAX_SAMPLE || !values.reason?.trim())
  ) {
    process.stderr.write(`load-sample takes --customers N (1 to ${MAX_SAMPLE}) and --reason\n${USAGE}`);
    return 2;
  }
  if (command === 'set-overdraft' && (rest.length !== 2 || !values.reason?.trim())) {
    process.stderr.write(`set-overdraft takes an account, an amount in minor units and --reason\n${USAGE}`);
    return 2;
  }
  const runtime = await openLedger({
    ...(values.env !== undefined ? { env: values.env } : {}),
    ...(values.root !== undefined ? { root: values.root } : {}),
    gateway: false,
    migrate: false,
    // A database that exists: `invariants` only reads; nothing is ever stamped or created here.
    existing: command === 'invariants' ? 'read' : 'write',
    seed: false,
    // One act and out: the latest config revision at start is enough.
    live: false,
  });
  try {
    if (command === 'invariants') {
      const found = await ledgerInvariants(runtime.store.db);
      for (const [name, value] of Object.entries(found)) process.stdout.write(`${name.padEnd(20)} ${String(value)}\n`);
      const broken =
        found.balanceSum !== 0n ||
        found.unbalancedTransfers + found.balanceMismatches + found.belowOverdraft > 0 ||
        found.fundingGap !== 0n ||
        found.interestGap !== 0n;
      return broken ? 1 : 0;
    }
    if (command === 'load-sample') {
      const { store, resolved } = runtime;
      // Loaded in batches of their own transactions (a large load would hold one for minutes), then audited.
      const loaded = await loadSampleCustomers(store.db, resolved.environment.code, customers);
      await store.audit.append({
        action: 'ledger.load-sample',
        target: `${customers} customers`,
        reason: (values.reason as string).trim(),
        outcome: 'done',
      });
      const sums = Object.entries(loaded.deposited).map(([currency, sum]) => formatMinor(sum, currency));
      process.stdout.write(
        `loaded ${loaded.customers} sample customers into ${resolved.environment.name}, deposited ${sums.join(', ')} (audited: ledger.load-sample)\n`,
      );
      return 0;
    }
    const [account, limit] = rest as [string, string];
    const changed = await runtime.ledger.setOverdraft(account, limit, values.reason as string);
    process.stdout.write(
      `overdraft of ${changed.id} set to ${formatMinor(changed.overdraftLimit, changed.currency)} in ${runtime.resolved.environment.name} (audited: ledger.overdraft)\n`,
    );
    return 0;
  } finally {
    await runtime.close();
  }
}

try {
  process.exitCode = await main();
} catch (error) {
  if (error instanceof LedgerError) {
    process.stderr.write(`error[${error.code}]: ${error.message}\n`);
    process.exitCode = 1;
  } else if (error instanceof EnvwardError) {
    process.stderr.write(`error[${error.code}]: ${error.message}\nhint: ${error.hint}\n`);
    process.exitCode = error.kind === 'refused' ? 3 : 1;
  } else {
    throw error;
  }
}
