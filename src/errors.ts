/**
 * The one error catalogue: every envward failure has a class here, a stable
 * `EW_` code, and a hint that says what to do. Messages are made by the
 * thrower from structured details. Every code is a line of the registry
 * (error-registry.ts): its kind, the CLI's exit code and its section of
 * docs/errors.md; a test keeps the docs and the registry in step.
 */
import type { ErrorCode, IssueCode, KindOf } from './error-registry.js';

/** How the CLI should treat a failure: a usage mistake, a found problem, or a guard's refusal. */
export type ErrorKind = 'usage' | 'problem' | 'refused';

/** Where a failure happened, when it is known. */
export interface ErrorLocation {
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly key?: string;
  readonly environment?: string;
}

export interface ErrorDetails extends ErrorLocation {
  readonly [field: string]: unknown;
}

/**
 * The constructor's arguments, one form per registered code: a code with any
 * kind but its registered one does not compile.
 */
export type EnvwardErrorArguments = {
  [Code in ErrorCode]: [
    code: Code,
    kind: KindOf<Code>,
    message: string,
    hint: string,
    details?: ErrorDetails,
    options?: { cause?: unknown },
  ];
}[ErrorCode];

/** Base of every envward error: a registered code, a hint and structured details. */
export class EnvwardError extends Error {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly hint: string;
  readonly details: ErrorDetails;

  constructor(...[code, kind, message, hint, details = {}, options]: EnvwardErrorArguments) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.kind = kind;
    this.hint = hint;
    this.details = details;
  }

  /** A plain object for `--json` output and logs; never carries secret values. */
  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, hint: this.hint, details: this.details };
  }
}

/** Renders `file:line:column` for messages. */
export function formatLocation(location: ErrorLocation): string {
  if (!location.file) return '';
  let text = location.file;
  if (location.line !== undefined) text += `:${location.line}`;
  if (location.line !== undefined && location.column !== undefined) text += `:${location.column}`;
  return text;
}

const DESCRIPTION_LIMIT = 500;

/**
 * A thrown value as one line of text, for messages. Never throws itself:
 * the value may be anything a project's code threw, including an object
 * whose `toString` or `message` throws, or a Proxy whose every trap throws.
 */
export function describeThrown(value: unknown): string {
  let text: string;
  try {
    if (value instanceof Error) text = `${value.name}: ${value.message}`;
    else if (typeof value === 'object' && value !== null) text = `a thrown ${describeObject(value)}`;
    else text = String(value);
  } catch {
    text = 'a value that cannot be described (reading it threw)';
  }
  const line = text.split('\n')[0] ?? '';
  return line.length > DESCRIPTION_LIMIT ? `${line.slice(0, DESCRIPTION_LIMIT)}…` : line;
}

function describeObject(value: object): string {
  try {
    const text = String(value);
    // Plain objects say nothing as "[object Object]": say what they are instead.
    return text.startsWith('[object ') ? 'object' : `object: ${text}`;
  } catch {
    return 'object (its toString threw)';
  }
}

/** Whether `value` is an EnvwardError; false, not a throw, for a value whose prototype cannot be read. */
export function isEnvwardError(value: unknown): value is EnvwardError {
  try {
    return value instanceof EnvwardError;
  } catch {
    return false;
  }
}

export class UsageError extends EnvwardError {
  constructor(message: string, hint = 'Run `envward --help` for usage.') {
    super('EW_USAGE', 'usage', message, hint);
  }
}

/** A name as an error quotes it: whole up to 60 characters, else its start and its length (never a 100 kB echo). */
function quotedName(name: string): string {
  return name.length <= 60
    ? JSON.stringify(name)
    : `${JSON.stringify(name.slice(0, 40))}... (${name.length} characters)`;
}

export class EnvNameError extends EnvwardError {
  constructor(name: string, where: string) {
    super(
      'EW_ENV_NAME',
      'usage',
      `Invalid environment name ${quotedName(name)} (${where}): names are 1-40 characters of lower-case letters, digits and '-', starting with a letter or digit.`,
      'Use a name such as "staging", "eu-production" or "pr-42"; no upper case, "/" or "..".',
      { name: name.length <= 60 ? name : `${name.slice(0, 40)}...`, where },
    );
  }
}

export class EnvUnknownError extends EnvwardError {
  constructor(name: string, known: readonly string[], where: string) {
    super(
      'EW_ENV_UNKNOWN',
      'usage',
      `Unknown environment "${name}" (${where}). Known environments: ${known.join(', ')}.`,
      'Use one of the known environments, or declare it under `environments` in envward.config.ts.',
      { environment: name, known, where },
    );
  }
}

export class EnvDefinitionError extends EnvwardError {
  constructor(message: string, file: string, hint = 'Fix the `environments` block of envward.config.ts.') {
    super('EW_ENV_DEFINITION', 'problem', `${message} (${file})`, hint, { file });
  }
}

export class EnvConflictError extends EnvwardError {
  constructor(signals: readonly { readonly detail: string; readonly name: string }[]) {
    const named = signals.map((signal) => `${signal.detail} says "${signal.name}"`).join(', ');
    super(
      'EW_ENV_CONFLICT',
      'refused',
      `Refusing to guess the environment: the signals disagree (${named}).`,
      'Make them agree or unset all but one, or decide explicitly with --env <name> (API: the `env` option).',
      { signals },
    );
  }
}

export class HostMismatchError extends EnvwardError {
  constructor(environment: string, hostname: string, reason: string) {
    super(
      'EW_HOST_MISMATCH',
      'refused',
      `Refusing to run as "${environment}" on host "${hostname}": ${reason}.`,
      'Run on a host meant for this environment, choose the right one with --env, or override with --force --reason "why" (audited).',
      { environment, hostname },
    );
  }
}

export class ForceWithoutReasonError extends EnvwardError {
  constructor() {
    super(
      'EW_FORCE_REASON',
      'usage',
      'An override (--force) needs a reason.',
      'Add --reason "why this is safe"; the reason is printed and audited.',
    );
  }
}

export class ProjectNotFoundError extends EnvwardError {
  constructor(cwd: string) {
    super(
      'EW_PROJECT_NOT_FOUND',
      'usage',
      `No envward.config.ts (or .mts, .js, .mjs) in ${cwd} or any parent directory.`,
      'Run `envward init` to scaffold a project, or pass --cwd <project directory>.',
      { file: cwd },
    );
  }
}

export class ProjectLoadError extends EnvwardError {
  constructor(file: string, reason: string, cause?: unknown, at: { line?: number; column?: number } = {}) {
    const location = { file, ...at };
    super(
      'EW_PROJECT_LOAD',
      'problem',
      `Could not load ${formatLocation(location)}: ${reason}`,
      'Fix the error in envward.config.ts; it must `export default defineConfig({ ... })`.',
      location,
      { cause },
    );
  }
}

export class ConfigParseError extends EnvwardError {
  /** Every parse failure of the run, this one first. */
  readonly failures: readonly { readonly location: ErrorLocation; readonly reason: string }[];

  constructor(location: ErrorLocation & { file: string }, reason: string, others: ConfigParseError[] = []) {
    const failures = [{ location, reason }, ...others.flatMap((other) => other.failures)];
    const more = failures.slice(1).map((f) => `\n  - ${formatLocation(f.location)}: ${f.reason}`);
    super(
      'EW_CONFIG_PARSE',
      'problem',
      `${formatLocation(location)}: ${reason}${more.join('')}`,
      'Fix the syntax at that line; nothing was loaded.',
      { ...location, failures },
    );
    this.failures = failures;
  }

  /** One error carrying every file's parse failure. */
  static combine(errors: readonly ConfigParseError[]): ConfigParseError {
    const [first, ...rest] = errors as [ConfigParseError, ...ConfigParseError[]];
    const head = first.failures[0] as { location: ErrorLocation & { file: string }; reason: string };
    return new ConfigParseError(head.location, head.reason, rest);
  }
}

/** One validation problem, kept as data; text is made only at the edge. */
export interface ConfigIssue {
  /** A stable sub-code of the registry (ISSUE_CODES), or the code of an error that stood for the issue (config validate: EW_SECRET_*). */
  readonly code: IssueCode | ErrorCode;
  readonly key: string;
  readonly environment: string;
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  /** The layer or variable that supplied the offending value. */
  readonly source?: string;
  readonly expected?: string;
}

/** Renders one issue as `key (env) at file:line: message`. */
export function formatIssue(issue: ConfigIssue): string {
  const where = formatLocation(issue);
  const source = where || issue.source;
  return `${issue.key || '(root)'} [${issue.environment}]${source ? ` at ${source}` : ''}: ${issue.message} (${issue.code})`;
}

export class ConfigInvalidError extends EnvwardError {
  readonly issues: readonly ConfigIssue[];

  constructor(environment: string, issues: readonly ConfigIssue[]) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super(
      'EW_CONFIG_INVALID',
      'problem',
      `Configuration for "${environment}" has ${count}:\n${issues.map((i) => `  - ${formatIssue(i)}`).join('\n')}`,
      'Fix each value at the place named; `envward config explain <key>` shows every layer that set it.',
      { environment, issues },
    );
    this.issues = issues;
  }
}

export class ConfigKeyUnknownError extends EnvwardError {
  /** `suggestion`: the declared key nearest to `key`, when one is close enough to be a typo of it. */
  constructor(key: string, where: string, suggestion?: string) {
    super(
      'EW_CONFIG_KEY',
      'usage',
      `Unknown configuration key "${key}" (${where}).${suggestion !== undefined ? ` Did you mean "${suggestion}"?` : ''}`,
      '`envward config show` lists every key the schema declares.',
      { key, where, ...(suggestion !== undefined ? { suggestion } : {}) },
    );
  }
}

export class FileInputError extends EnvwardError {
  constructor(file: string, reason: string) {
    super(
      'EW_FILE_INPUT',
      'problem',
      `${file}: ${reason}`,
      'Configuration files must be UTF-8 text under 1 MiB; replace or remove the file.',
      { file },
    );
  }
}

export class FileWriteError extends EnvwardError {
  constructor(file: string, reason: string) {
    super(
      'EW_FILE_WRITE',
      'problem',
      `${file}: ${reason}; nothing was written there.`,
      'Name a file (not a directory) in a directory you may write to.',
      { file },
    );
  }
}

export class InitExistsError extends EnvwardError {
  constructor(files: readonly string[]) {
    super(
      'EW_INIT_EXISTS',
      'refused',
      `Refusing to overwrite existing files: ${files.join(', ')}.`,
      'Run `envward init` in an empty directory, or move these files away first. Nothing was written.',
      { files },
    );
  }
}

/** A capability was used without its settings in the project's `use`, and its defaults do not suffice. */
export class SettingsNotUsedError extends EnvwardError {
  constructor(key: string, capability: string, environment: string, problem: string) {
    super(
      'EW_SETTINGS_NOT_USED',
      'usage',
      `${capability} needs its \`${key}\` settings, which envward.config.ts does not use: ${problem}.`,
      `Add \`${key}\` to \`use\` in defineConfig (import { ${key} } from '${capability}') and set what it needs in config/.`,
      { key, environment },
    );
  }
}
