/**
 * A local payment provider for tests: the sandbox the ledger's gateway
 * (examples/ledger/src/payment-gateway.ts) calls in staging and production,
 * on 127.0.0.1 and a free port.
 *
 * `POST /v1/collections` with `Idempotency-Key` and a JSON body
 * `{account, amount, currency}` answers 201 `{reference: "SBX-..."}`. As a
 * real provider does, it collects once per key: the same key with the same
 * body answers the same reference again, and with another body 422. With
 * `apiKey` set, a request without `Authorization: Bearer <apiKey>` is 401.
 *
 * Every request is recorded (`calls`, in arrival order, with its headers and
 * body as received) so a test can check what the ledger sent; `collections`
 * holds what was collected, one entry per key.
 *
 * Failure injection, each for the next `n` requests, taken in this order:
 * - `dropNext(n)`: destroys the socket without an answer (a network failure);
 *   with `{ afterCollect: true }` it collects first, so the money is taken
 *   and the answer lost (the case idempotency keys exist for);
 * - `failNext(n, status)`: answers `status` (default 503) and collects nothing;
 * - `refuseNext(n)`: answers 402, a definite refusal, and collects nothing.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SandboxCall {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The Idempotency-Key header. */
  readonly key: string | undefined;
  readonly body: string;
  /** Whether an Authorization header came at all (right or wrong). */
  readonly authorized: boolean;
  /** What the sandbox did: the status it answered, or 'dropped'. */
  readonly outcome: number | 'dropped';
}

export interface SandboxCollection {
  readonly key: string;
  readonly reference: string;
  readonly body: string;
}

export interface PaymentSandboxOptions {
  /** The API key the ledger must send as `Authorization: Bearer <apiKey>`; unchecked when absent. */
  readonly apiKey?: string;
}

export interface PaymentSandbox {
  /** `http://127.0.0.1:<port>`: the ledger's `outbound.payments.baseUrl` (PAYMENTS_BASE_URL). */
  readonly url: string;
  readonly calls: readonly SandboxCall[];
  /** Collected money, one entry per Idempotency-Key. */
  readonly collections: ReadonlyMap<string, SandboxCollection>;
  dropNext(n: number, options?: { afterCollect?: boolean }): void;
  failNext(n: number, status?: number): void;
  refuseNext(n: number): void;
  close(): Promise<void>;
}

const BODY_LIMIT = 64 * 1024;

function isCollectionBody(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const { account, amount, currency } = value as Record<string, unknown>;
  return (
    typeof account === 'string' &&
    typeof amount === 'string' &&
    /^[1-9][0-9]*$/.test(amount) &&
    typeof currency === 'string' &&
    /^[A-Z]{3}$/.test(currency)
  );
}

export async function startPaymentSandbox(options: PaymentSandboxOptions = {}): Promise<PaymentSandbox> {
  const calls: SandboxCall[] = [];
  const collections = new Map<string, SandboxCollection>();
  let drops = 0;
  let dropAfterCollect = false;
  let failures = 0;
  let failStatus = 503;
  let refusals = 0;

  // Collects once per key; undefined when the key was used with another body.
  const collect = (key: string, body: string): SandboxCollection | undefined => {
    const known = collections.get(key);
    if (known) return known.body === body ? known : undefined;
    const collection = { key, body, reference: `SBX-${randomBytes(8).toString('hex')}` };
    collections.set(key, collection);
    return collection;
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= BODY_LIMIT) chunks.push(chunk);
    });
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const header = request.headers['idempotency-key'];
      const key = typeof header === 'string' ? header : undefined;
      const record = (outcome: SandboxCall['outcome']) =>
        calls.push({
          method: request.method ?? '',
          path: request.url ?? '',
          headers: { ...request.headers },
          key,
          body,
          authorized: request.headers.authorization !== undefined,
          outcome,
        });
      const answer = (status: number, json: unknown) => {
        record(status);
        send(response, status, json);
      };

      if (request.method !== 'POST' || request.url !== '/v1/collections') {
        return answer(404, { error: 'not_found' });
      }
      if (drops > 0) {
        drops--;
        if (dropAfterCollect && key !== undefined) collect(key, body);
        record('dropped');
        request.socket.destroy();
        return;
      }
      if (failures > 0) {
        failures--;
        return answer(failStatus, { error: 'injected_failure' });
      }
      if (refusals > 0) {
        refusals--;
        return answer(402, { error: 'card_declined' });
      }
      if (options.apiKey !== undefined && request.headers.authorization !== `Bearer ${options.apiKey}`) {
        return answer(401, { error: 'unauthorized' });
      }
      if (key === undefined || key === '') return answer(400, { error: 'idempotency_key_required' });
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        return answer(400, { error: 'invalid_json' });
      }
      if (!isCollectionBody(parsed)) return answer(400, { error: 'invalid_collection' });
      const collection = collect(key, body);
      if (!collection) return answer(422, { error: 'idempotency_key_reused_with_another_body' });
      return answer(201, { reference: collection.reference });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    collections,
    dropNext(n, dropOptions = {}) {
      drops = n;
      dropAfterCollect = dropOptions.afterCollect === true;
    },
    failNext(n, status = 503) {
      failures = n;
      failStatus = status;
    },
    refuseNext(n) {
      refusals = n;
    },
    close: () =>
      new Promise<void>((resolve) => {
        // Keep-alive sockets from the ledger's client would hold close() open.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(response: ServerResponse, status: number, json: unknown): void {
  const text = JSON.stringify(json);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}
