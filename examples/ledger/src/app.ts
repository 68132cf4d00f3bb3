/**
 * The ledger's HTTP API on Fastify. envward's plugin gives it the
 * environment header, /environment, health, metrics, rate limits, request
 * ids and JSON error bodies; this file adds only the banking routes.
 */
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Ledger } from './ledger.js';
import { LedgerError } from './ledger.js';
import type { LedgerRuntime } from './open-ledger.js';
import type { PaymentGateway } from './payment-gateway.js';

export interface LedgerRoutesOptions {
  readonly ledger: Ledger;
  readonly gateway: PaymentGateway;
  readonly environment: { readonly name: string; readonly tier: string };
}

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,200}$/;

function sendLedgerError(error: LedgerError, request: FastifyRequest, reply: FastifyReply) {
  return reply
    .status(error.status)
    .send({ error: { code: error.code, message: error.message, requestId: request.id, ...error.details } });
}

/** The banking routes, in their own scope so their error handler sees ledger errors first. */
export async function ledgerRoutes(app: FastifyInstance, options: LedgerRoutesOptions): Promise<void> {
  const { ledger, gateway, environment } = options;

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof LedgerError) return sendLedgerError(error, request, reply);
    // Everything else (413, 400, 429, 500) is envward's plugin's to answer.
    throw error;
  });

  app.post<{ Body: { owner?: unknown; currency?: unknown; overdraftLimit?: unknown } }>(
    '/accounts',
    async (request, reply) => {
      const body = request.body ?? {};
      const account = await ledger.openAccount({
        owner: body.owner,
        currency: body.currency,
        ...(body.overdraftLimit !== undefined ? { overdraftLimit: body.overdraftLimit } : {}),
      });
      return reply.status(201).send(account);
    },
  );

  app.get<{ Params: { id: string } }>('/accounts/:id', async (request) => ledger.account(request.params.id));

  app.post<{ Body: { from?: unknown; to?: unknown; amount?: unknown } }>('/transfers', async (request, reply) => {
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key)) {
      throw new LedgerError(
        'LEDGER_IDEMPOTENCY_KEY',
        400,
        'POST /transfers needs an Idempotency-Key header (1-200 of A-Z a-z 0-9 . _ : -); reuse it to retry safely',
      );
    }
    const body = request.body ?? {};
    const { transfer, replayed } = await ledger.transfer(
      { from: body.from as string, to: body.to as string, amount: body.amount as number },
      key,
    );
    if (replayed) reply.header('idempotent-replayed', 'true');
    return reply.status(replayed ? 200 : 201).send(transfer);
  });

  app.get<{ Params: { id: string } }>('/transfers/:id', async (request) => ledger.transferById(request.params.id));

  app.post<{ Params: { id: string }; Body: { amount?: unknown } }>('/accounts/:id/deposit', async (request, reply) => {
    if (environment.tier !== 'development') {
      throw new LedgerError(
        'LEDGER_DEVELOPMENT_ONLY',
        403,
        `deposits through the API are for trying the ledger in development; ${environment.name} is ${environment.tier}`,
      );
    }
    const account = await ledger.account(request.params.id);
    const amount = ledger.checkAmount(request.body?.amount);
    // Money comes in through the payment gateway (a mock here), then is posted.
    const { reference } = await gateway.collect({ account: account.id, amount, currency: account.currency });
    const transfer = await ledger.deposit(account.id, amount);
    return reply.status(201).send({ ...transfer, gatewayReference: reference });
  });
}

export interface BuildLedgerAppOptions {
  /** envward's Fastify plugin (default true); false only for the load test's baselines. */
  readonly plugin?: boolean;
  /** The request logger (envward's createLogger); none by default. */
  readonly logger?: FastifyBaseLogger;
  readonly version?: string;
}

/** The ledger service: Fastify, envward's plugin, the banking routes. */
export async function buildLedgerApp(
  runtime: Pick<LedgerRuntime, 'resolved' | 'store' | 'ledger' | 'gateway'>,
  options: BuildLedgerAppOptions = {},
): Promise<FastifyInstance> {
  const { default: Fastify } = await import('fastify');
  const { environment } = runtime.resolved;
  let app: FastifyInstance;
  if (options.plugin === false) {
    app = Fastify(options.logger ? { loggerInstance: options.logger } : {}) as unknown as FastifyInstance;
  } else {
    const { envwardFastify, envwardServerOptions } = await import('envward/fastify');
    const serverOptions = envwardServerOptions(runtime.resolved, options.logger ? { logger: options.logger } : {});
    app = Fastify(serverOptions) as unknown as FastifyInstance;
    await app.register(envwardFastify, {
      config: runtime.resolved,
      store: runtime.store,
      ...(options.version !== undefined ? { version: options.version } : {}),
    });
  }
  await app.register(ledgerRoutes, { ledger: runtime.ledger, gateway: runtime.gateway, environment });
  return app;
}
