/**
 * The ledger's HTTP API on Fastify, under /v1. envward's plugin gives it the
 * environment header, /environment, health, metrics, rate limits, request
 * ids and JSON error bodies; this file adds only the banking routes, each
 * request checked by its route's JSON schema before any handler runs.
 */
import { CrossEnvironmentIdError } from 'envward/store';
import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deposit, Deposits } from './deposits.js';
import { FEE_PREVIEW_FLAG, type FeatureFlags, feePreview } from './fee-preview.js';
import type { IdempotencyScope } from './idempotency.js';
import type { Account, Ledger, Transfer } from './ledger.js';
import { LedgerError } from './ledger.js';
import type { LedgerRuntime } from './open-ledger.js';

export interface LedgerRoutesOptions {
  readonly ledger: Ledger;
  readonly deposits: Deposits;
  /** The feature flags (an OpenFeature client over envwardFlags); none: every flag off. */
  readonly flags?: FeatureFlags;
}

/** The client whose keys these are, until the API authenticates clients; one shared scope without it. */
const ANONYMOUS_CLIENT = 'anonymous';

const ID = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$' } as const;
// Minor units as a string of digits: a JSON number could not carry every amount exactly.
const AMOUNT = { type: 'string', pattern: '^[0-9]{1,19}$' } as const;
const IDEMPOTENT_HEADERS = {
  type: 'object',
  required: ['idempotency-key'],
  properties: {
    'idempotency-key': { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,200}$' },
    'client-id': { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,100}$' },
  },
} as const;
const ID_PARAMS = { type: 'object', required: ['id'], properties: { id: ID } } as const;
/** Write routes need a bearer JWT where `auth.jwt.enabled` (every tier but development): envward's plugin checks it. */
const WRITE = { auth: 'jwt' } as const;

/** Which LEDGER_ code a schema refusal gets, by the field it is about. */
const FIELD_CODES: Readonly<Record<string, string>> = {
  amount: 'LEDGER_BAD_AMOUNT',
  owner: 'LEDGER_BAD_OWNER',
  email: 'LEDGER_BAD_EMAIL',
  currency: 'LEDGER_BAD_CURRENCY',
  'idempotency-key': 'LEDGER_IDEMPOTENCY_KEY',
  'client-id': 'LEDGER_BAD_CLIENT',
};

const FIELD_HINTS: Readonly<Record<string, string>> = {
  amount: 'amount is a positive whole number of minor units written as a string of digits, e.g. "2500" for 25.00 EUR',
  'idempotency-key':
    'this request needs an Idempotency-Key header (1-200 of A-Z a-z 0-9 . _ : -); reuse it to retry safely',
  'client-id': 'Client-Id is 1-100 of A-Z a-z 0-9 . _ : -',
};

interface ValidationIssue {
  readonly instancePath: string;
  readonly keyword: string;
  readonly params: Record<string, unknown>;
  readonly message?: string;
}

/** A schema refusal as a LedgerError naming the field. */
function validationError(error: FastifyError & { validation: ValidationIssue[]; validationContext?: string }) {
  const [issue] = error.validation;
  const field =
    (issue?.params.missingProperty as string | undefined) ??
    (issue?.params.additionalProperty as string | undefined) ??
    issue?.instancePath.split('/').filter(Boolean).at(-1) ??
    '';
  if (issue?.keyword === 'additionalProperties') {
    const hint = field === 'overdraftLimit' ? ': the overdraft is set by the bank, never by the client' : '';
    return new LedgerError('LEDGER_UNKNOWN_FIELD', 400, `${field} is not a field of this request${hint}`, { field });
  }
  const code = FIELD_CODES[field] ?? 'LEDGER_BAD_REQUEST';
  const where = [error.validationContext ?? 'request', field].filter(Boolean).join(' ');
  const message = FIELD_HINTS[field] ?? `${where} ${issue?.message ?? 'is invalid'}`;
  return new LedgerError(code, 400, message, field ? { field } : {});
}

function sendLedgerError(error: LedgerError, request: FastifyRequest, reply: FastifyReply) {
  return reply
    .status(error.status)
    .send({ error: { code: error.code, message: error.message, requestId: request.id, ...error.details } });
}

function scopeOf(request: FastifyRequest): IdempotencyScope {
  const client = request.headers['client-id'];
  return {
    client: typeof client === 'string' ? client : ANONYMOUS_CLIENT,
    key: request.headers['idempotency-key'] as string,
  };
}

/** JSON shapes: money as strings of minor units. */
export function accountJson(account: Account) {
  return {
    id: account.id,
    owner: account.owner,
    customerId: account.customerId,
    kind: account.kind,
    currency: account.currency,
    balance: account.balance.toString(),
    overdraftLimit: account.overdraftLimit.toString(),
    createdAt: account.createdAt,
  };
}

export function transferJson(transfer: Transfer) {
  return { ...transfer, amount: transfer.amount.toString() };
}

export function depositJson(deposit: Deposit) {
  return {
    id: deposit.id,
    account: deposit.account,
    amount: deposit.amount.toString(),
    currency: deposit.currency,
    status: deposit.status,
    gatewayReference: deposit.gatewayReference,
    transfer: deposit.transfer ? transferJson(deposit.transfer) : null,
    createdAt: deposit.createdAt,
  };
}

/** The banking routes, in their own scope so their error handler sees ledger errors first. */
export async function ledgerRoutes(app: FastifyInstance, options: LedgerRoutesOptions): Promise<void> {
  const { ledger, deposits, flags } = options;

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof LedgerError) return sendLedgerError(error, request, reply);
    // An id of another environment's records, sent by a client: refused by the store, answered as the client's mistake.
    if (error instanceof CrossEnvironmentIdError) {
      return sendLedgerError(new LedgerError(error.code, 422, error.message), request, reply);
    }
    if (Array.isArray((error as { validation?: unknown }).validation)) {
      return sendLedgerError(validationError(error as Parameters<typeof validationError>[0]), request, reply);
    }
    // Everything else (413, 400, 429, 500) is envward's plugin's to answer.
    throw error;
  });

  app.post<{ Body: { owner: string; currency: string; email?: string } }>(
    '/v1/accounts',
    {
      config: WRITE,
      schema: {
        body: {
          type: 'object',
          required: ['owner', 'currency'],
          additionalProperties: false,
          properties: {
            // No control characters: a name is printed on statements and in logs.
            owner: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^\\u0000-\\u001f\\u007f]+$' },
            currency: { type: 'string' },
            email: { type: 'string', minLength: 3, maxLength: 254, pattern: '^[^@\\s]+@[^@\\s]+$' },
          },
        },
      },
    },
    async (request, reply) => reply.status(201).send(accountJson(await ledger.openAccount(request.body))),
  );

  app.get<{ Params: { id: string } }>('/v1/accounts/:id', { schema: { params: ID_PARAMS } }, async (request) =>
    accountJson(await ledger.account(request.params.id)),
  );

  app.post<{ Body: { from: string; to: string; amount: string } }>(
    '/v1/transfers',
    {
      config: WRITE,
      schema: {
        headers: IDEMPOTENT_HEADERS,
        body: {
          type: 'object',
          required: ['from', 'to', 'amount'],
          additionalProperties: false,
          properties: { from: ID, to: ID, amount: AMOUNT },
        },
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request);
      const { transfer, replayed } = await ledger.transfer(request.body, scope);
      if (replayed) reply.header('idempotent-replayed', 'true');
      // A preview of a proposed fee for the clients the flag targets; nothing is charged.
      if (flags && (await flags.getBooleanValue(FEE_PREVIEW_FLAG, false, { targetingKey: scope.client }))) {
        reply.header('fee-preview', feePreview(transfer.amount).toString());
      }
      // A replay answers as the first request did.
      return reply.status(201).send(transferJson(transfer));
    },
  );

  app.get<{ Params: { id: string } }>('/v1/transfers/:id', { schema: { params: ID_PARAMS } }, async (request) =>
    transferJson(await ledger.transferById(request.params.id)),
  );

  app.post<{ Params: { id: string }; Body: { amount: string } }>(
    '/v1/accounts/:id/deposits',
    {
      config: WRITE,
      schema: {
        params: ID_PARAMS,
        headers: IDEMPOTENT_HEADERS,
        body: { type: 'object', required: ['amount'], additionalProperties: false, properties: { amount: AMOUNT } },
      },
    },
    async (request, reply) => {
      const { deposit, replayed } = await deposits.deposit(request.params.id, request.body.amount, scopeOf(request));
      if (replayed) reply.header('idempotent-replayed', 'true');
      return reply.status(201).send(depositJson(deposit));
    },
  );

  app.get<{ Params: { id: string } }>('/v1/deposits/:id', { schema: { params: ID_PARAMS } }, async (request) =>
    depositJson(await deposits.read(request.params.id)),
  );
}

export interface BuildLedgerAppOptions {
  /** envward's Fastify plugin (default true); false only for the load test's baselines. */
  readonly plugin?: boolean;
  /** The request logger (envward's createLogger); none by default. */
  readonly logger?: FastifyBaseLogger;
  readonly version?: string;
}

/**
 * Fastify validates bodies without coercion: a JSON number is not quietly
 * made the string an amount must be, and unknown fields are refused rather
 * than dropped.
 */
const STRICT_AJV = { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } } as const;

/**
 * The ledger service: Fastify, envward's plugin, the banking routes. Given
 * the runtime's LiveConfig, the plugin follows config revisions (log level,
 * rate limits) and shows the revision applied in /environment, readiness
 * and metrics.
 */
export async function buildLedgerApp(
  runtime: Pick<LedgerRuntime, 'resolved' | 'store' | 'ledger' | 'deposits'> & Partial<Pick<LedgerRuntime, 'live'>>,
  options: BuildLedgerAppOptions = {},
): Promise<FastifyInstance> {
  const { default: Fastify } = await import('fastify');
  let app: FastifyInstance;
  if (options.plugin === false) {
    app = Fastify({
      ...(options.logger ? { loggerInstance: options.logger } : {}),
      ajv: STRICT_AJV,
    }) as unknown as FastifyInstance;
  } else {
    const { envwardFastify, envwardServerOptions } = await import('envward/fastify');
    const serverOptions = envwardServerOptions(runtime.resolved, options.logger ? { logger: options.logger } : {});
    app = Fastify({ ...serverOptions, ajv: STRICT_AJV }) as unknown as FastifyInstance;
    await app.register(envwardFastify, {
      config: runtime.live ?? runtime.resolved,
      store: runtime.store,
      ...(options.version !== undefined ? { version: options.version } : {}),
    });
  }
  const flags = await featureFlags(runtime, app, options.plugin === false);
  await app.register(ledgerRoutes, { ledger: runtime.ledger, deposits: runtime.deposits, flags });
  return app;
}

let flagDomains = 0;

/**
 * An OpenFeature client over envward's provider for this app: the live
 * config when the ledger follows revisions (a `config set` of a flag applies
 * at once), evaluations counted on the plugin's registry. Each app has its
 * own OpenFeature domain, so two apps in one process do not share a provider.
 */
async function featureFlags(
  runtime: Pick<LedgerRuntime, 'resolved'> & Partial<Pick<LedgerRuntime, 'live'>>,
  app: FastifyInstance,
  bare: boolean,
): Promise<FeatureFlags> {
  const [{ OpenFeature }, { envwardFlags }] = await Promise.all([
    import('@openfeature/server-sdk'),
    import('envward/flags'),
  ]);
  const registry = bare ? undefined : app.envward.metrics;
  const provider = envwardFlags(runtime.live ?? runtime.resolved, registry ? { registry } : {});
  const domain = `envward-ledger-${++flagDomains}`;
  await OpenFeature.setProviderAndWait(domain, provider);
  app.addHook('onClose', async () => provider.onClose());
  return OpenFeature.getClient(domain);
}
