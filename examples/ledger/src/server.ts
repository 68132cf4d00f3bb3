/**
 * `npm start`: the ledger service in the detected environment (development
 * on a fresh clone, on the embedded SQLite store), migrated and seeded, with
 * envward's banner and a few requests to try.
 *
 *   npm start                                   # development, SQLite
 *   DATABASE_URL=postgres://... npm start       # the same build on PostgreSQL
 *   PORT=4000 npm start -- --env test
 *   npm start -- --env staging --root DIR      # another copy of the project (its own secrets)
 */
import { environmentBanner, reportStartupError } from 'envward';
import { envwardConsole } from 'envward/console';
import { startJobs } from 'envward/jobs';
import { createLogger } from 'envward/observe';
import type { LiveStatus } from 'envward/runtime';
import { StoreLockTimeoutError } from 'envward/store';
import type { Logger } from 'pino';
import { buildLedgerApp } from './app.js';
import { accrueInterest } from './interest-accrual.js';
import { LedgerError } from './ledger.js';
import { openLedger } from './open-ledger.js';

/** How often pending deposits (a crash, an unavailable gateway) are completed and expired keys forgotten. */
const RECOVERY_EVERY_MS = 60_000;

/** The banner's line about runtime config revisions: the one applied, and how later ones arrive. */
function configLine(status: LiveStatus | undefined): string {
  if (!status) return 'runtime revisions read at start only';
  const how = status.mode === 'listen' ? 'PostgreSQL LISTEN' : 'polling SQLite';
  return `revision ${status.revision}, following later revisions (${how})`;
}

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index > 0 ? process.argv[index + 1] : undefined;
}

async function main(): Promise<number> {
  const env = argument('--env');
  const root = argument('--root');
  // Made as soon as the environment is resolved, so the store's and the config revisions' reports reach it.
  let made: Logger | undefined;
  const runtime = await openLedger({
    ...(env !== undefined ? { env } : {}),
    ...(root !== undefined ? { root } : {}),
    logger: async (files) => {
      made = await createLogger(files);
      return made;
    },
  });
  const { resolved, config, store } = runtime;
  if (!made) throw new Error('openLedger did not make the logger');
  const logger = made;

  // Scheduled only where envward.config.ts allows it (staging, production); each night's slot runs on one instance.
  const jobs = await startJobs(
    runtime.live ?? resolved,
    store,
    { interestAccrual: accrueInterest(runtime.interest) },
    { logger },
  );
  const [accrual] = jobs.jobs;
  const interest = accrual
    ? `scheduled (${accrual.schedule} ${accrual.timezone}), next ${accrual.nextRun?.toISOString() ?? 'never'}`
    : 'not scheduled: runs only in staging and production';

  // Deposits left pending by a crash or an unavailable gateway: completed with the same gateway key.
  const recover = async () => {
    try {
      const result = await store.exclusive('ledger-deposit-recovery', 0, () =>
        runtime.deposits.completePending(RECOVERY_EVERY_MS),
      );
      if (result.booked > 0 || result.pending > 0) logger.info(result, 'pending deposits completed');
      const forgotten = await runtime.ledger.keys.purge(store.db);
      if (forgotten > 0) logger.debug({ forgotten }, 'expired idempotency keys forgotten');
    } catch (error) {
      if (!(error instanceof StoreLockTimeoutError)) logger.error({ err: error }, 'deposit recovery failed');
    }
  };
  const recovery = setInterval(recover, RECOVERY_EVERY_MS);
  recovery.unref();
  // What a crash before this start left pending, once at start (deposits under a minute old are left to their request).
  void recover();

  let app: Awaited<ReturnType<typeof buildLedgerApp>> | undefined;
  let address: string;
  try {
    app = await buildLedgerApp(runtime, { logger });
    // The admin console for this environment, with its banner and roles (users: envward users add NAME --role ENV:ROLE).
    await app.register(envwardConsole, { prefix: '/admin', resolved, store });
    address = await app.listen({ host: config.app.host, port: config.app.port });
  } catch (error) {
    // A refused start (EW_SLOT_REQUIRED, a port in use) closes what is open: PostgreSQL's connections would hold the process.
    await jobs.stop();
    clearInterval(recovery);
    await app?.close();
    await runtime.close();
    throw error;
  }

  const accounts = await store.db
    .selectFrom('accounts')
    .select(['id', 'owner'])
    .where('kind', '=', 'customer')
    .orderBy('created_at')
    .limit(2)
    .execute();
  const storeLine = `${store.where} (${store.dialect}; migrated ${runtime.migrated.length}, seeded ${runtime.seeded.length})`;
  process.stdout.write(
    `${environmentBanner(resolved, {
      rows: [
        ['store', storeLine],
        ...(runtime.backup ? [['backup', `${runtime.backup} (before migrating)`] as [string, string]] : []),
        ['gateway', runtime.gateway.mode],
        ['interest', interest],
        [
          'limit',
          `${(runtime.live?.values ?? config).ledger.transferLimit} per transfer, in whole units of its currency`,
        ],
        ['config', configLine(runtime.live?.status())],
        ['url', address],
        ['console', `${address}/admin/ (envward users add NAME --role ${resolved.environment.name}:admin)`],
      ],
    })}\n\n`,
  );
  const [a, b] = accounts;
  const tries = [
    `curl -s ${address}/environment`,
    `curl -s -X POST ${address}/v1/accounts -H 'content-type: application/json' -d '{"owner":"Ada","currency":"EUR"}'`,
  ];
  if (a && b) {
    tries.push(
      `curl -s ${address}/v1/accounts/${a.id}`,
      `curl -s -X POST ${address}/v1/transfers -H 'content-type: application/json' -H 'Idempotency-Key: try-1' -d '{"from":"${a.id}","to":"${b.id}","amount":"2500"}'`,
    );
  }
  // Outside development the write routes need a bearer JWT (auth.jwt): say so rather than print a 401 to try.
  const writes = config.auth.jwt.enabled
    ? "\nWrites (POST) need -H 'Authorization: Bearer <JWT>' signed with this environment's auth.jwt key.\n"
    : '';
  process.stdout.write(`Try:\n${tries.map((line) => `  ${line}`).join('\n')}\n${writes}\nCtrl-C stops it.\n`);

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await jobs.stop();
  clearInterval(recovery);
  await app.close();
  await runtime.close();
  logger.flush();
  return 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  if ((error as { code?: string }).code === 'EADDRINUSE') {
    process.stderr.write(`error: ${(error as Error).message}; set another port with PORT=4000 npm start\n`);
    process.exit(1);
  }
  if (error instanceof LedgerError) {
    process.stderr.write(`error[${error.code}]: ${error.message}\n`);
    process.exit(1);
  }
  // As the CLI reports it: error[EW_CODE], the hint, exit 1, 2 or 3 by kind; anything else with its stack, exit 1.
  process.exitCode = reportStartupError(error);
}
