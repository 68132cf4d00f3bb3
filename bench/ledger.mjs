// `npm run bench:ledger`: the ledger under load, on SQLite and PostgreSQL.
//
// 200 accounts are opened and funded through the API (POST /v1/accounts, then
// a deposit with an Idempotency-Key each); every tenth account is funded
// with only 200.00 EUR and given a 1,000.00 EUR overdraft, so it lives near
// its limit and some transfers from it are declined. Then 32 concurrent HTTP
// clients make 20,000 random transfers between them, with a deposit among
// them about every 50; 10% of the requests are retried with the same
// Idempotency-Key (half right after the first answer, half at the same time
// as it). The workload is drawn from a seeded generator (--seed), so every
// service gets the same requests. While it runs, a sampler reads the
// database every 50 ms: no customer account is ever below its overdraft and
// the balances sum to zero in every committed state. Afterwards interest is
// accrued for one day from two ledger runtimes on the same database at once
// (the service's, and a second one in another process: ledger-accrue.mjs).
//
// The run then asserts (ledger-invariants.mjs reads the figures):
// - the balances of all accounts, the system accounts included, sum to zero;
//   every transfer's journal balances; every balance equals its journal;
// - no account was ever below its overdraft (every sample, and at the end);
// - money enters only through deposits: minus the funding account's balance
//   = the booked deposits = the deposit transfers = what the bench deposited,
//   and every transfer goes from the kind of account its kind says;
// - no transfer was applied twice: transfers = first answers = the keys that
//   claimed them, and a retry got the first answer's transfer;
// - interest was posted once per account and day: one accrual per customer
//   account, interest transfers = accruals that paid, minus the interest
//   account's balance = their sum.
//
// Three services run the same workload, each on a fresh database
// (ledger-services.mjs): plain (plain Fastify and Kysely), guarded (envward's
// store behind plain Fastify: guarded / plain is what the guards cost) and envward (the store and the whole Fastify plugin, as
// `npm start` runs it). Rounds interleave the services and rotate their
// order; the run ends with each service's best and median round and the
// ratios envward / plain and guarded / plain from both (ledger-report.mjs),
// and says whether the goal (envward >= 0.95 x plain) is met.
//
// Runs from TypeScript sources through tsx (the ledger is an example app):
//   npm run bench:ledger [-- --transfers 20000 --clients 32 --rounds 3 --only sqlite --seed 12 --services plain,envward]
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { accrualDay } from '../examples/ledger/src/interest-accrual.ts';
import { openInspector, startSampler } from './ledger-invariants.mjs';
import { describeInvariants, fmt, GOAL, summarise } from './ledger-report.mjs';
import { freshDatabase, openService } from './ledger-services.mjs';
import { drawWorkload, RETRY_SHARE } from './ledger-workload.mjs';

const { values: args } = parseArgs({
  options: {
    transfers: { type: 'string', default: '20000' },
    clients: { type: 'string', default: '32' },
    accounts: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '3' },
    seed: { type: 'string', default: '12' },
    only: { type: 'string' },
    services: { type: 'string', default: 'plain,guarded,envward' },
  },
});
const TRANSFERS = Number(args.transfers);
const CLIENTS = Number(args.clients);
const ACCOUNTS = Number(args.accounts);
const ROUNDS = Number(args.rounds);
const SEED = Number(args.seed);
for (const [name, value] of Object.entries({
  transfers: TRANSFERS,
  clients: CLIENTS,
  accounts: ACCOUNTS,
  rounds: ROUNDS,
})) {
  // `--rounds abc` would otherwise run nothing and fail on an empty list at the end.
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`--${name} must be a whole number >= 1, not ${args[name]}`);
}
if (ACCOUNTS < 2) throw new Error('--accounts must be at least 2: a transfer needs two accounts');
if (!Number.isInteger(SEED)) throw new Error(`--seed must be a whole number, not ${args.seed}`);
// A subset (`--services envward`) is for profiling one service (node --cpu-prof); the ratios need plain.
const SERVICES = args.services.split(',');
if (SERVICES.some((mode) => !['plain', 'guarded', 'envward'].includes(mode))) {
  throw new Error(`--services lists plain, guarded and envward, not ${args.services}`);
}
if (args.only !== undefined && args.only !== 'sqlite' && args.only !== 'postgres') {
  throw new Error(`--only must be sqlite or postgres, not ${args.only}`);
}
const FUNDING = 10_000_000n; // 100,000.00 EUR
const TIGHT_EVERY = 10;
const TIGHT_FUNDING = 20_000n; // 200.00 EUR
const TIGHT_OVERDRAFT = '100000'; // 1,000.00 EUR
const SAMPLE_MS = 50;
const CURRENCY = 'EUR';

const WORKLOAD = drawWorkload({ transfers: TRANSFERS, accounts: ACCOUNTS, seed: SEED });

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** POSTs JSON; the answer's status, body, whether it was a replay, and how long it took. */
async function post(pool, path, body, headers = {}) {
  const started = performance.now();
  const response = await pool.request({
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.body.text();
  return {
    status: response.statusCode,
    replayed: response.headers['idempotent-replayed'] === 'true',
    body: JSON.parse(text),
    text,
    ms: performance.now() - started,
  };
}

/** Opens and funds the accounts through the API (not measured); returns their ids and the deposits made. */
async function openAccounts(pool, book) {
  const ids = [];
  let deposited = 0n;
  for (let i = 0; i < ACCOUNTS; i++) {
    const opened = await post(pool, '/v1/accounts', { owner: `client ${i}`, currency: CURRENCY });
    assert.equal(opened.status, 201, `opening an account: ${opened.text}`);
    const tight = i % TIGHT_EVERY === 0;
    // The overdraft is the bank's to set (audited), never the client's.
    if (tight)
      await book.setOverdraft(opened.body.id, TIGHT_OVERDRAFT, 'load test: an account that lives near its limit');
    const amount = tight ? TIGHT_FUNDING : FUNDING;
    const funded = await post(
      pool,
      `/v1/accounts/${opened.body.id}/deposits`,
      { amount: amount.toString() },
      { 'idempotency-key': `fund-${i}` },
    );
    assert.equal(funded.status, 201, `funding an account: ${funded.text}`);
    assert.equal(funded.body.status, 'booked', 'a funding deposit was not booked');
    deposited += amount;
    ids.push(opened.body.id);
  }
  return { ids, deposits: ACCOUNTS, deposited };
}

/** The measured load: WORKLOAD over CLIENTS connections. */
async function load(pool, ids) {
  const tally = {
    posted: 0,
    replays: 0,
    declined: 0,
    deposits: 0,
    depositReplays: 0,
    deposited: 0n,
    failures: 0,
    latencies: [],
  };
  const send = async (path, body, headers) => {
    const answer = await post(pool, path, body, headers);
    tally.latencies.push(answer.ms);
    return answer;
  };
  const run = async (n, operation) => {
    const headers = { 'idempotency-key': `op-${n}`, 'client-id': `bench-client-${n % 8}` };
    const [path, body] =
      operation.kind === 'transfer'
        ? ['/v1/transfers', { from: ids[operation.from], to: ids[operation.to], amount: String(operation.amount) }]
        : [`/v1/accounts/${ids[operation.to]}/deposits`, { amount: String(operation.amount) }];
    const answers =
      operation.retry === 'concurrent'
        ? await Promise.all([send(path, body, headers), send(path, body, headers)])
        : [await send(path, body, headers)];
    if (operation.retry === 'after') answers.push(await send(path, body, headers));
    for (const answer of answers) {
      if (answer.status === 201 && operation.kind === 'transfer') {
        if (answer.replayed) tally.replays++;
        else tally.posted++;
      } else if (answer.status === 201) {
        if (answer.replayed) tally.depositReplays++;
        else {
          tally.deposits++;
          tally.deposited += BigInt(operation.amount);
        }
      } else if (answer.status === 422 && answer.body.error?.code === 'LEDGER_INSUFFICIENT_FUNDS') {
        tally.declined++;
      } else if (tally.failures++ < 3) {
        console.error(`  refused: ${answer.status} ${answer.text}`);
      }
    }
    if (answers.length === 2 && answers.every((answer) => answer.status === 201)) {
      assert.equal(answers[0].body.id, answers[1].body.id, `a retry of a ${operation.kind} returned another one`);
    }
  };
  let next = 0;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < WORKLOAD.length) {
        const n = next++;
        await run(n, WORKLOAD[n]);
      }
    }),
  );
  const cpu = process.cpuUsage(cpuBefore);
  return { ...tally, seconds: (performance.now() - started) / 1000, cpuMicros: cpu.user + cpu.system };
}

// Without the extra CA certificates some machines add (about 30 ms of loading per Node start): the child's
// start-up then reflects envward, not the machine. Run the bench itself with `env -u NODE_EXTRA_CA_CERTS` too.
const { NODE_EXTRA_CA_CERTS: _ignored, ...CHILD_ENV } = process.env;

const ACCRUE = fileURLToPath(new URL('./ledger-accrue.mjs', import.meta.url));

/**
 * The service's runtime and a second one (ledger-accrue.mjs, another
 * process on the same database) accrue the same day at once; each account
 * must be accrued by exactly one of them. Resolves both results, ours first.
 */
async function accrueTwice(service, inspector, database, mode, day) {
  const rateBps = service.runtime.resolved.values.ledger.interestRateBps;
  const order = { database: { dialect: database.dialect, url: database.url, path: database.path }, mode, day, rateBps };
  const child = spawn(process.execPath, ['--import', 'tsx', ACCRUE, JSON.stringify(order)], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: CHILD_ENV,
  });
  const exited = once(child, 'exit');
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const fromChild = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error(`the second runtime ended (exit ${child.exitCode ?? (await exited)[0]})`);
    return value;
  };
  try {
    assert.equal(await fromChild(), 'ready');
    child.stdin.end('go\n');
    const theirs = fromChild();
    // Ours starts once theirs has committed its first accrual, so the two surely overlap (started
    // together, one often finished every account before the other had begun, on a busy machine).
    while ((await inspector.accruals(day)) === 0 && child.exitCode === null) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const mine = await service.runtime.interest.accrue(day, rateBps);
    const result = JSON.parse(await theirs);
    const [code] = await exited;
    assert.equal(code, 0, 'the second runtime failed');
    return [mine, result];
  } finally {
    if (child.exitCode === null) child.kill();
  }
}

function assertInvariants(audit, sampled, funded, tally, accruals) {
  const paidOut = (kind) => -audit.system[kind];
  assert.equal(audit.balanceSum, 0n, 'the balances of all accounts do not sum to zero');
  assert.deepEqual(sampled.nonzeroSums, [], 'the balances did not sum to zero at some point during the run');
  assert.equal(audit.unbalancedTransfers, 0, 'a transfer has a journal that does not balance');
  assert.equal(audit.balanceMismatches, 0, 'a balance differs from its journal');

  assert.ok(sampled.samples > 0, 'the sampler took no sample');
  assert.ok(
    sampled.lowest === undefined || sampled.lowest >= 0n,
    `an account was below its overdraft by ${sampled.lowest}`,
  );
  assert.equal(audit.belowOverdraft, 0, 'an account ended below its overdraft');

  const depositsMade = funded.deposits + tally.deposits;
  const deposited = funded.deposited + tally.deposited;
  assert.equal(audit.deposits.pending.count + audit.deposits.failed.count, 0, 'a deposit is pending or failed');
  assert.equal(audit.deposits.booked.count, depositsMade, 'booked deposits != deposits made (one booked twice?)');
  assert.equal(audit.transfers.deposit.count, depositsMade, 'deposit transfers != deposits made');
  assert.equal(audit.deposits.booked.total, deposited, 'booked deposits != the money deposited');
  assert.equal(audit.transfers.deposit.total, deposited, 'deposit transfers != the money deposited');
  assert.equal(paidOut('funding'), deposited, "the funding account's total != the money deposited");
  assert.equal(audit.depositLinkErrors, 0, 'a booked deposit and its transfer disagree');
  assert.equal(audit.misdirected, 0, 'a transfer moved money from or to an account its kind does not allow');

  assert.equal(audit.transfers.transfer.count, tally.posted, 'transfers applied != first answers (a retry posted)');
  assert.equal(audit.transferKeys.count, audit.transfers.transfer.count, 'transfers != the keys that claimed them');
  assert.equal(audit.transferKeys.distinctResults, audit.transferKeys.count, 'two keys claimed one transfer');
  assert.equal(audit.danglingKeys, 0, 'a key claimed a transfer that was not posted');

  const [a, b] = accruals;
  assert.equal(audit.customersNotAccruedOnce, 0, 'a customer account was not accrued exactly once for the day');
  assert.equal(audit.accruals.count, audit.customers, 'accruals != customer accounts');
  assert.equal(audit.accruals.allDays, audit.accruals.count, 'an accrual for another day');
  assert.equal(a.accrued + b.accrued, audit.customers, 'the two runtimes did not accrue every account once');
  assert.equal(a.alreadyAccrued + b.alreadyAccrued, audit.customers, 'a runtime did not see the other one accrue');
  assert.equal(a.posted + b.posted, audit.accruals.paid, 'interest posted != accruals that paid');
  assert.equal(audit.transfers.interest.count, audit.accruals.paid, 'interest transfers != accruals that paid');
  assert.equal(audit.transfers.interest.total, audit.accruals.total, 'interest transfers != the interest accrued');
  assert.equal(paidOut('interest'), audit.accruals.total, "the interest account's total != the interest accrued");
  assert.equal(audit.accrualLinkErrors, 0, 'an accrual and its interest transfer disagree');

  assert.equal(tally.failures, 0, `${tally.failures} requests failed`);
}

/** One service's run on its database: fund, load, accrue, then check every invariant. */
async function measure(service, inspector, database, mode) {
  const address = await service.app.listen({ host: '127.0.0.1', port: 0 });
  const pool = new Pool(address, { connections: CLIENTS, pipelining: 1 });
  try {
    const funded = await openAccounts(pool, service.runtime.ledger);
    const sampler = startSampler(inspector, SAMPLE_MS);
    const day = accrualDay(new Date());
    let tally;
    let accruals;
    try {
      tally = await load(pool, funded.ids);
      accruals = await accrueTwice(service, inspector, database, mode, day);
    } catch (error) {
      await sampler.stop().catch(() => {});
      throw error;
    }
    // Stopped after the interest run too: accruing must not take an account below its overdraft either.
    const sampled = await sampler.stop();
    const audit = await inspector.audit(day);
    assertInvariants(audit, sampled, funded, tally, accruals);
    tally.latencies.sort((x, y) => x - y);
    return {
      transfersPerSecond: tally.posted / tally.seconds,
      // This process's CPU (the service, its SQLite work, and the clients, the same for every service) per
      // transfer posted: less moved by other work on a shared machine than the wall-clock rate.
      cpuPerTransfer: tally.cpuMicros / tally.posted,
      p50: percentile(tally.latencies, 50),
      p99: percentile(tally.latencies, 99),
      tally,
      audit,
      sampled,
      accruals,
    };
  } finally {
    await pool.close();
  }
}

/** A fresh database for `mode`'s service, dropped afterwards even when the service fails to open. */
async function round(dialect, mode, index) {
  const database = await freshDatabase(dialect, `${mode}_${index}`);
  try {
    const service = await openService(database, mode);
    try {
      const inspector = await openInspector(database);
      try {
        return await measure(service, inspector, database, mode);
      } finally {
        await inspector.close();
      }
    } finally {
      await service.close();
    }
  } finally {
    await database.drop();
  }
}

const transferOps = WORKLOAD.filter((operation) => operation.kind === 'transfer').length;
console.log(
  `ledger load test: ${fmt(transferOps)} transfers and ${fmt(WORKLOAD.length - transferOps)} deposits, ${CLIENTS} clients, ${ACCOUNTS} accounts (every ${TIGHT_EVERY}th near its overdraft), ${RETRY_SHARE * 100}% retried, seed ${SEED}; ${ROUNDS} round(s) each, rotated`,
);
const summaries = [];
for (const dialect of ['sqlite', 'postgres']) {
  if (args.only && args.only !== dialect) continue;
  const results = Object.fromEntries(SERVICES.map((mode) => [mode, []]));
  const modes = Object.keys(results);
  for (let i = 0; i < ROUNDS; i++) {
    // Rotated, so no mode always runs first (on a cold cache) or last.
    for (const mode of modes.map((_, k) => modes[(k + i) % modes.length])) {
      const result = await round(dialect, mode, i);
      results[mode].push(result);
      const { tally } = result;
      console.log(
        `  ${dialect.padEnd(8)} ${mode.padEnd(8)} round ${i + 1}: ${fmt(result.transfersPerSecond)} transfers/s, ${fmt(result.cpuPerTransfer)} µs CPU each, p50 ${fmt(result.p50, 2)} ms, p99 ${fmt(result.p99, 2)} ms; ${fmt(tally.posted)} posted, ${fmt(tally.declined)} declined (overdraft), ${fmt(tally.replays + tally.depositReplays)} replays, ${fmt(tally.deposits)} deposits`,
      );
      console.log(`    invariants hold: ${describeInvariants(result)}`);
    }
  }
  summaries.push(summarise(dialect, results));
  console.log(`${dialect}: invariants held in all ${ROUNDS * modes.length} runs`);
}

console.log(
  `\nsummary (best and median round of each service; ratios to plain, goal: envward >= ${GOAL} on both stores)`,
);
for (const line of summaries.flat()) console.log(line);
