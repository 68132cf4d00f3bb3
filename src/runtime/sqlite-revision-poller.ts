/**
 * SQLite's watch for runtime revisions: SQLite cannot tell another process
 * that something was committed, but `PRAGMA data_version` changes on one
 * connection whenever another connection (in any process) committed. One
 * read-only handle of the store's file asks it every `pollMs`; only when it
 * moved does the live config query the revision table. A poll reads the
 * database's change counter (in WAL mode, from the shared-memory index),
 * never a table.
 */
import Database from 'better-sqlite3';
import type { RevisionWatcher, RevisionWatcherEvents } from './revision-watcher.js';

class SqliteRevisionPoller implements RevisionWatcher {
  readonly mode = 'poll';
  readonly #handle: Database.Database;
  readonly #events: RevisionWatcherEvents;
  readonly #timer: NodeJS.Timeout;
  #version: unknown;
  #connected = true;
  #closed = false;

  constructor(path: string, pollMs: number, events: RevisionWatcherEvents) {
    this.#handle = new Database(path, { readonly: true, fileMustExist: true });
    this.#events = events;
    // Taken before the live config reads the latest revision, so a commit after that read is seen.
    this.#version = this.#dataVersion();
    this.#timer = setInterval(() => this.#poll(), pollMs);
    // A poll alone never keeps the process running.
    this.#timer.unref();
  }

  get connected(): boolean {
    return this.#connected;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#handle.close();
  }

  #dataVersion(): unknown {
    return this.#handle.pragma('data_version', { simple: true });
  }

  #poll(): void {
    let version: unknown;
    try {
      version = this.#dataVersion();
    } catch (error) {
      // Reported once, then polled on quietly until it reads again.
      if (this.#connected) this.#events.lost(error);
      this.#connected = false;
      return;
    }
    if (!this.#connected) {
      this.#connected = true;
      this.#version = version;
      this.#events.back();
      return;
    }
    if (version === this.#version) return;
    this.#version = version;
    this.#events.changed();
  }
}

/** Polls the SQLite file at `path` for commits by other connections (see the module's comment). */
export function pollForRevisions(path: string, pollMs: number, events: RevisionWatcherEvents): RevisionWatcher {
  return new SqliteRevisionPoller(path, pollMs, events);
}
