// bench/ledger.mjs's workload: the same requests for every service and round,
// drawn from a seeded generator.
export const RETRY_SHARE = 0.1;
const DEPOSIT_SHARE = 0.02;
const MAX_AMOUNT = 50_000; // minor units: 500.00 EUR

/** mulberry32: a small seeded generator, so every service and round gets the same workload. */
function generator(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The measured requests, by account index: transfers with a deposit about every 1/DEPOSIT_SHARE. */
export function drawWorkload({ transfers, accounts, seed }) {
  const random = generator(seed);
  const pick = (below) => Math.floor(random() * below);
  const retryOf = () => (random() < RETRY_SHARE ? (random() < 0.5 ? 'concurrent' : 'after') : 'none');
  const operations = [];
  for (let n = 0; n < transfers; n++) {
    const from = pick(accounts);
    const to = (from + 1 + pick(accounts - 1)) % accounts;
    operations.push({ kind: 'transfer', from, to, amount: 1 + pick(MAX_AMOUNT), retry: retryOf() });
    if (random() < DEPOSIT_SHARE) {
      operations.push({ kind: 'deposit', to: pick(accounts), amount: 1 + pick(2 * MAX_AMOUNT), retry: retryOf() });
    }
  }
  return operations;
}
