import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type DestinationStream, type Logger } from 'pino';
import PinoPretty from 'pino-pretty';
import pinoRoll from 'pino-roll';
import type { ResolvedConfig } from '../config/index.js';
import { logResolutionWarnings } from '../config/warnings.js';
import { type LogSettings, logSettings } from './log-settings.js';
import { createScrubber, type Scrubber } from './scrubber.js';

/*
 * Every destination here writes synchronously, in this thread: pino's worker
 * thread transports lose the last lines on process.exit or a crash, and an
 * asynchronous file stream loses the write still in flight. A line is in the
 * file (or on the console) when the log call returns, so a crash, an exit or
 * even SIGKILL right after it loses nothing. Destinations that buffer anyway
 * (a stream the caller passes) are flushed on fatal and on exit.
 */

export interface CreateLoggerOptions {
  /** Where console lines go instead of stdout; giving one turns the console on. */
  readonly destination?: DestinationStream | NodeJS.WritableStream;
  /** The logger's `name` field (e.g. the service). */
  readonly name?: string;
}

/** What createLogger reads of a resolved config; `warnings` are logged once, at warn level. */
export type LoggerConfig = Pick<
  ResolvedConfig<unknown>,
  'values' | 'environment' | 'project' | 'hostname' | 'secretValues'
> &
  Partial<Pick<ResolvedConfig<unknown>, 'warnings'>>;

interface Sink {
  write(line: string): unknown;
  flushSync?(): void;
  end?(): unknown;
}

const FATAL = 60;
const open = new Set<LogFanOut>();
let exitHookInstalled = false;

function flushAll(): void {
  for (const fanOut of open) fanOut.flushSync();
}

/** pino's one destination: every line (already scrubbed) to each sink. */
class LogFanOut implements DestinationStream {
  readonly [pino.symbols.needsMetadataGsym] = true;
  lastLevel = 0;
  lastTime = '';
  lastMsg = '';
  lastObj: object = {};
  lastLogger: Logger | undefined;
  readonly #sinks: readonly Sink[];
  readonly #files: readonly Sink[];

  constructor(sinks: readonly Sink[], files: readonly Sink[]) {
    this.#sinks = sinks;
    this.#files = files;
  }

  write(line: string): void {
    for (const sink of this.#sinks) sink.write(line);
    if (this.lastLevel >= FATAL) this.flushSync();
  }

  flushSync(): void {
    for (const sink of this.#sinks) {
      try {
        sink.flushSync?.();
      } catch {
        // Not open yet or already closed: nothing of ours is buffered there.
      }
    }
  }

  /** Used by pino's `logger.flush(cb)`. */
  flush(callback?: (error?: Error) => void): void {
    this.flushSync();
    callback?.();
  }

  async close(): Promise<void> {
    if (!open.delete(this)) return;
    this.flushSync();
    await Promise.all(
      this.#files.map(
        (file) =>
          new Promise<void>((resolve) => {
            const stream = file as Sink & { once?(event: string, listener: () => void): void };
            stream.once?.('close', () => resolve());
            stream.end?.();
            if (!stream.once) resolve();
          }),
      ),
    );
  }
}

function prettySink(target: Sink, colour: boolean, scrub: Scrubber): Sink {
  const prettify = PinoPretty.prettyFactory({
    colorize: colour,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,env',
    messageFormat: '[{env}] {msg}',
  });
  return {
    // The line is scrubbed already; the pretty text is scrubbed again for values pino-pretty re-encodes.
    write: (line) => target.write(scrub(prettify(line))),
    flushSync: () => target.flushSync?.(),
  };
}

async function fileSink(settings: LogSettings, environment: string): Promise<Sink> {
  mkdirSync(settings.dir, { recursive: true });
  // One file a day: <env>.<yyyy-MM-dd>.<n>.log, reused when the process restarts the same day.
  return pinoRoll({
    file: join(settings.dir, environment),
    frequency: 'daily',
    dateFormat: 'yyyy-MM-dd',
    extension: '.log',
    mkdir: true,
    sync: true,
  });
}

function isTty(stream: unknown): boolean {
  return (stream as { isTTY?: boolean } | undefined)?.isTTY === true;
}

/**
 * The logger of one environment (see ./index.ts for the public wrapper):
 * level, format and destinations from `log.*` and the tier, every secret
 * value scrubbed from every line, `env` on every line.
 */
export async function createLoggerNow(
  resolved: LoggerConfig,
  options: CreateLoggerOptions = {},
  variables: Readonly<Record<string, string | undefined>> = process.env,
): Promise<Logger> {
  const settings = logSettings(resolved);
  const environment = resolved.environment.name;
  const scrub = createScrubber(resolved.secretValues());
  const sinks: Sink[] = [];
  const files: Sink[] = [];
  if (settings.console || options.destination) {
    const target: Sink = (options.destination as Sink | undefined) ?? pino.destination({ dest: 1, sync: true });
    const noColor = variables.NO_COLOR !== undefined && variables.NO_COLOR !== '';
    const colour = !noColor && (settings.colour ?? isTty(options.destination ?? process.stdout));
    sinks.push(settings.format === 'pretty' ? prettySink(target, colour, scrub) : target);
  }
  if (settings.file) {
    const file = await fileSink(settings, environment);
    sinks.push(file);
    files.push(file);
  }
  const fanOut = new LogFanOut(sinks, files);
  open.add(fanOut);
  if (!exitHookInstalled) {
    process.on('exit', flushAll);
    exitHookInstalled = true;
  }
  const logger = pino(
    {
      level: settings.level,
      ...(options.name !== undefined ? { name: options.name } : {}),
      base: { pid: process.pid, hostname: resolved.hostname, env: environment },
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
      hooks: { streamWrite: scrub },
    },
    fanOut,
  );
  // A service started without its development key must not run silently with its secrets unset.
  logResolutionWarnings(resolved, logger);
  return logger;
}

/** Flushes and closes the logger's files (any child of it closes the same ones). */
export async function closeLoggerNow(logger: Logger): Promise<void> {
  const stream = (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym];
  if (stream instanceof LogFanOut) await stream.close();
}
