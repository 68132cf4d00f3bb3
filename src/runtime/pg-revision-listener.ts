/**
 * PostgreSQL's push for runtime revisions: one dedicated connection per live
 * config, `LISTEN envward_config`, told of each revision when its transaction
 * commits. Not from the store's pool: a pooled connection would be handed
 * back and its LISTEN lost, or held and the pool one short.
 */
import { ExponentialBackoff, handleAll, retry } from 'cockatiel';
import pg from 'pg';
import type { Environment } from '../environment/index.js';
import { unavailableReason } from '../store/connect.js';
import { DatabaseUnavailableError } from '../store/store-errors.js';
import { parseRevisionNotice, REVISION_CHANNEL } from './revision-channel.js';
import type { RevisionWatchTarget } from './revision-watch-target.js';
import type { RevisionWatcher, RevisionWatcherEvents } from './revision-watcher.js';

/** How the listener's backend shows in pg_stat_activity, so an operator (or a test) can find it. */
export const LISTENER_APPLICATION_NAME = 'envward-config-listener';

// Reconnecting: fast at first (a restarted server is back in a second), then every few seconds at most.
const RECONNECT_BACKOFF = { initialDelay: 100, maxDelay: 5_000 } as const;
// A connection that died silently (a dropped route) shows through TCP keepalive after about this long.
const KEEPALIVE_DELAY_MS = 10_000;

type PostgresTarget = Extract<RevisionWatchTarget, { dialect: 'postgres' }>;

class PgRevisionListener implements RevisionWatcher {
  readonly mode = 'listen';
  readonly #target: PostgresTarget;
  readonly #environment: string;
  readonly #events: RevisionWatcherEvents;
  readonly #stop = new AbortController();
  #client: pg.Client | undefined;
  #closed = false;

  constructor(target: PostgresTarget, environment: string, events: RevisionWatcherEvents) {
    this.#target = target;
    this.#environment = environment;
    this.#events = events;
  }

  get connected(): boolean {
    return this.#client !== undefined;
  }

  /** Connects and listens once; the caller decides what a failure means at start. */
  async start(): Promise<void> {
    this.#client = await this.#connect();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stop.abort();
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }

  async #connect(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: this.#target.target.url,
      options: this.#target.options,
      application_name: LISTENER_APPLICATION_NAME,
      connectionTimeoutMillis: this.#target.connectTimeoutMs,
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
    });
    // Attached before connecting: an 'error' event with no listener would crash the process.
    client.on('error', (error) => this.#lost(client, error));
    client.on('end', () => this.#lost(client, new Error('the connection ended')));
    client.on('notification', (message) => {
      if (client !== this.#client || message.channel !== REVISION_CHANNEL) return;
      if (parseRevisionNotice(message.payload)?.environment === this.#environment) this.#events.changed();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(REVISION_CHANNEL)}`);
      return client;
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
  }

  /** The current connection failed: drop it, say so once, and reconnect in the background. */
  #lost(client: pg.Client, error: unknown): void {
    if (client !== this.#client) return;
    this.#client = undefined;
    client.end().catch(() => {});
    if (this.#closed) return;
    this.#events.lost(error);
    void this.#reconnect();
  }

  async #reconnect(): Promise<void> {
    const policy = retry(handleAll, {
      maxAttempts: Number.POSITIVE_INFINITY,
      backoff: new ExponentialBackoff(RECONNECT_BACKOFF),
    }).dangerouslyUnref();
    let client: pg.Client;
    try {
      client = await policy.execute(({ signal }) => {
        if (signal.aborted) throw new Error('closed');
        return this.#connect();
      }, this.#stop.signal);
    } catch {
      return; // Only close() ends the retries.
    }
    if (this.#closed) {
      await client.end().catch(() => {});
      return;
    }
    this.#client = client;
    this.#events.back();
  }
}

/**
 * Listens for `environment`'s revisions on the store's database. Connects
 * once now (EW_DB_UNAVAILABLE when it cannot: the store just connected, so
 * something is wrong); after that, a lost connection is reported to
 * `events.lost`, retried with exponential backoff, and `events.back` follows.
 */
export async function listenForRevisions(
  target: PostgresTarget,
  environment: Environment,
  events: RevisionWatcherEvents,
): Promise<RevisionWatcher> {
  const listener = new PgRevisionListener(target, environment.name, events);
  try {
    await listener.start();
  } catch (error) {
    throw new DatabaseUnavailableError(
      environment.name,
      target.target.shown,
      `the config listener could not connect: ${unavailableReason(error, target.target)}`,
      environment.protected,
    );
  }
  return listener;
}
