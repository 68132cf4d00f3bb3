/** What a live config is told by whatever watches the store (PostgreSQL LISTEN, SQLite polling). */
export interface RevisionWatcherEvents {
  /** A revision of this environment may have been written: read the latest. */
  changed(): void;
  /** The watch stopped working (connection lost, file unreadable); it is being restored. */
  lost(error: unknown): void;
  /** The watch works again after `lost`: anything written meanwhile was not announced, so read the latest. */
  back(): void;
}

/** A running watch on the store, for one environment. */
export interface RevisionWatcher {
  readonly mode: 'listen' | 'poll';
  /** False between `lost` and `back`. */
  readonly connected: boolean;
  /** Stops watching; idempotent. */
  close(): Promise<void>;
}
