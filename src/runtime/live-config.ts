/**
 * A resolved configuration that follows its environment's runtime revisions
 * while the process runs: told of each revision (PostgreSQL LISTEN, SQLite
 * polling), it resolves the environment again with the revision, validates
 * it, and swaps the snapshot whole. Restart-only keys keep the value of the
 * revision the process started with; a revision that does not validate
 * here leaves the snapshot as it is.
 */
import type { ResolvedConfig } from '../config/resolve.js';
import { reresolve } from '../config/resolve.js';
import { describeThrown, isEnvwardError, UsageError } from '../errors.js';
import { importPeer } from '../peers.js';
import type { Store } from '../store/open-store.js';
import { appliedFrom, revisionDb } from './applied-revision.js';
import { changedValues } from './config-changes.js';
import type { ConfigListener, LiveConfig, LiveConfigOptions, LiveLogger, LiveStatus } from './live-config-types.js';
import { liveRevisionLayer, planLiveRevision } from './live-revision-layer.js';
import { LiveSubscribers } from './live-subscribers.js';
import { type AppliedRevision, REVISION_ZERO, revisionLayer } from './revision-layer.js';
import { latestRevisionRow } from './revision-table.js';
import { revisionWatchTarget } from './revision-watch-target.js';
import type { RevisionWatcher, RevisionWatcherEvents } from './revision-watcher.js';

/** SQLite: how often the store's file is asked whether anything was committed, by default. */
export const DEFAULT_POLL_MS = 100;

const SILENT: LiveLogger = { info() {}, warn() {} };

/** What a live config needs of the store: its query builder for reads, and where it is (to watch the same database). */
export type LiveStore = Pick<Store, 'db' | 'dialect' | 'where' | 'environment'>;

class RevisionFollower<Values> implements LiveConfig<Values> {
  /** The resolution every revision is applied to: layers other than the revisions' are read anew each time. */
  readonly #base: ResolvedConfig<Values>;
  readonly #store: LiveStore;
  readonly #logger: LiveLogger;
  readonly #subscribers: LiveSubscribers<Values>;
  readonly #counts = { applied: 0, failed: 0, resyncs: 0 };
  #current!: ResolvedConfig<Values>;
  #start: AppliedRevision = REVISION_ZERO;
  #applied = 0;
  #latest = 0;
  #pending: readonly string[] = [];
  #failure: LiveStatus['failure'];
  #watcher: RevisionWatcher | undefined;
  #started = false;
  #closed = false;
  #closing: Promise<void> | undefined;
  /** The apply loop running now, if any, and whether it must look again when done. */
  #running: Promise<void> | undefined;
  #again = false;

  constructor(base: ResolvedConfig<Values>, store: LiveStore, logger: LiveLogger) {
    this.#base = base;
    this.#store = store;
    this.#logger = logger;
    this.#subscribers = new LiveSubscribers<Values>(base.project.schema, (error, change) =>
      logger.warn(
        { environment: this.#environment, revision: change.revision, err: error },
        'a config listener threw; the other listeners were called',
      ),
    );
  }

  get #environment(): string {
    return this.#base.environment.name;
  }

  get current(): ResolvedConfig<Values> {
    return this.#current;
  }

  get values(): ResolvedConfig<Values>['values'] {
    return this.#current.values;
  }

  /** What the watcher tells this config; anything it says before `start` is covered by start's own read. */
  watcherEvents(): RevisionWatcherEvents {
    return {
      changed: () => void this.refresh(),
      lost: (error) => {
        const what =
          this.#watcher?.mode === 'poll'
            ? 'config poller cannot read the store'
            : 'config listener lost its connection';
        this.#logger.warn({ environment: this.#environment, err: error }, `${what}; resyncing when it is back`);
      },
      back: () => void this.#resync(),
    };
  }

  /**
   * Reads the latest revision and resolves with it: the start revision,
   * whose restart keys hold for the life of the process. Called once the
   * watcher runs, so a revision written after this read is announced.
   */
  async start(watcher: RevisionWatcher): Promise<void> {
    this.#watcher = watcher;
    const start = appliedFrom(await latestRevisionRow(revisionDb(this.#store), this.#environment));
    this.#current = await reresolve(this.#base, [revisionLayer(start)]);
    this.#start = start;
    this.#applied = start.number;
    this.#latest = start.number;
    this.#started = true;
    if (this.#again) void this.refresh();
  }

  status(): LiveStatus {
    return Object.freeze({
      revision: this.#applied,
      latest: this.#latest,
      pending: this.#pending,
      mode: this.#closed || !this.#watcher ? 'closed' : this.#watcher.mode,
      connected: !this.#closed && (this.#watcher?.connected ?? false),
      counts: Object.freeze({ ...this.#counts }),
      ...(this.#failure ? { failure: this.#failure } : {}),
    });
  }

  subscribe(listener: ConfigListener<Values>): () => void;
  subscribe(keys: readonly string[], listener: ConfigListener<Values>): () => void;
  subscribe(keysOrListener: readonly string[] | ConfigListener<Values>, listener?: ConfigListener<Values>): () => void {
    if (typeof keysOrListener === 'function') return this.#subscribers.add(undefined, keysOrListener);
    if (typeof listener !== 'function') {
      throw new UsageError('subscribe(keys, listener) was given no listener function.', 'Pass the function to call.');
    }
    return this.#subscribers.add(keysOrListener, listener);
  }

  /**
   * Looks for a newer revision; one check at a time, and a call made while
   * one runs makes it look once more when done (the latest revision wins,
   * intermediate ones may be skipped). Never rejects: failures are logged
   * and kept in `status()`.
   */
  refresh(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#again = true;
    if (!this.#started) return Promise.resolve();
    this.#running ??= this.#drain();
    return this.#running;
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      await this.#watcher?.close();
      // After close() returns, no query of the store is under way: the caller may close it.
      await this.#running;
    })();
    return this.#closing;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#again && !this.#closed) {
        this.#again = false;
        try {
          await this.#applyLatest();
        } catch (error) {
          // #applyLatest handles what it expects; anything else must not reject a refresh nobody awaits.
          this.#logger.warn({ environment: this.#environment, err: error }, 'following config revisions failed');
        }
      }
    } finally {
      this.#running = undefined;
    }
  }

  async #resync(): Promise<void> {
    await this.refresh();
    this.#counts.resyncs++;
    this.#logger.info(
      { environment: this.#environment, revision: this.#applied, latest: this.#latest },
      `config ${this.#watcher?.mode === 'poll' ? 'poller' : 'listener'} is back and resynced: at revision ${this.#applied}`,
    );
  }

  async #applyLatest(): Promise<void> {
    const environment = this.#environment;
    let row: Awaited<ReturnType<typeof latestRevisionRow>>;
    try {
      row = await latestRevisionRow(revisionDb(this.#store), environment);
    } catch (error) {
      this.#logger.warn(
        { environment, revision: this.#applied, err: error },
        'config revisions could not be read; the applied configuration stays',
      );
      return;
    }
    const number = row?.number ?? 0;
    this.#latest = number;
    if (number === this.#applied || number === this.#failure?.revision) return;
    let next: ResolvedConfig<Values>;
    let pending: readonly string[];
    try {
      const plan = planLiveRevision(this.#start, appliedFrom(row), this.#base.project.schema);
      next = await reresolve(this.#base, [liveRevisionLayer(plan)]);
      pending = plan.pending;
    } catch (error) {
      this.#fail(number, error);
      return;
    }
    if (this.#closed) return;
    const before = this.#current;
    const previous = this.#applied;
    // One assignment: a reader holds the old snapshot or the new one, whole, never a mix.
    this.#current = next;
    this.#applied = number;
    this.#pending = pending;
    this.#failure = undefined;
    this.#counts.applied++;
    const changes = changedValues(before, next);
    this.#logger.info(
      { environment, revision: number, previous, changed: changes.map((change) => change.key), pending },
      `config revision ${number} applied`,
    );
    this.#subscribers.notify({ revision: number, previous, resolved: next }, changes);
  }

  /** A revision that does not resolve or validate here: the snapshot stays, and it is said once. */
  #fail(number: number, error: unknown): void {
    const code = isEnvwardError(error) ? error.code : 'EW_INTERNAL';
    const message = isEnvwardError(error) ? error.message : describeThrown(error);
    this.#counts.failed++;
    this.#failure = Object.freeze({ revision: number, code, message });
    this.#logger.warn(
      { environment: this.#environment, revision: number, applied: this.#applied, code },
      `config revision ${number} was not applied (revision ${this.#applied} stays): ${message}`,
    );
  }
}

function checkedPollMs(pollMs: number | undefined): number {
  if (pollMs === undefined) return DEFAULT_POLL_MS;
  if (Number.isInteger(pollMs) && pollMs > 0) return pollMs;
  throw new UsageError(`openLiveConfig: pollMs must be a positive whole number of milliseconds, not ${pollMs}.`);
}

/**
 * `resolved` following its environment's runtime revisions in `store`
 * (opened from the same `resolved`): the latest revision applied now, each
 * later one as it is written. PostgreSQL pushes them on one connection of
 * its own; SQLite is polled every `pollMs`. `close()` it before the store;
 * it never closes the store.
 * @example
 * const config = await openLiveConfig(resolved, store, { logger });
 * config.subscribe(['log.level'], ({ changes }) => { logger.level = String(changes[0]?.to); });
 */
export async function openLiveConfig<Values>(
  resolved: ResolvedConfig<Values>,
  store: LiveStore,
  options: LiveConfigOptions = {},
): Promise<LiveConfig<Values>> {
  const pollMs = checkedPollMs(options.pollMs);
  const target = revisionWatchTarget(resolved, store);
  const follower = new RevisionFollower(resolved, store, options.logger ?? SILENT);
  const events = follower.watcherEvents();
  const watcher =
    target.dialect === 'postgres'
      ? await (
          await importPeer('envward/runtime', () => import('./pg-revision-listener.js'), ['pg', 'cockatiel'])
        ).listenForRevisions(target, resolved.environment, events)
      : (
          await importPeer('envward/runtime', () => import('./sqlite-revision-poller.js'), ['better-sqlite3'])
        ).pollForRevisions(target.path, pollMs, events);
  try {
    await follower.start(watcher);
  } catch (error) {
    await watcher.close();
    throw error;
  }
  return follower;
}
