import type { ResolvedConfig } from '../config/index.js';
import { readPath } from '../config/value-path.js';
import { ObserveSettingError } from './observe-errors.js';

type Settled = Pick<ResolvedConfig<unknown>, 'values' | 'environment'>;

/**
 * Reads the optional keys envward itself looks at (`log.level`,
 * `alerts.errorRate`, ...): absent or null is the tier's default, a value of
 * the wrong kind throws EW_OBSERVE_SETTING naming the key, never ignored.
 */
export interface SettingReader {
  number(key: string, fallback: number, range?: { min?: number; max?: number }): number;
  boolean(key: string, fallback: boolean): boolean;
  /** A boolean whose absence means "decide later" rather than a fixed default. */
  optionalBoolean(key: string): boolean | undefined;
  text(key: string, fallback: string): string;
  oneOf<const T extends string>(key: string, choices: readonly T[], fallback: T): T;
}

export function settingReader(resolved: Settled): SettingReader {
  const values = resolved.values as Record<string, unknown>;
  const environment = resolved.environment.name;
  const get = (key: string) => {
    const value = readPath(values, key.split('.'));
    return value === null ? undefined : value;
  };
  const fail = (key: string, problem: string) => new ObserveSettingError(key, environment, problem);
  return {
    number(key, fallback, range = {}) {
      const value = get(key);
      if (value === undefined) return fallback;
      const min = range.min ?? 0;
      const max = range.max ?? Number.MAX_SAFE_INTEGER;
      if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
        throw fail(key, `must be a number from ${min} to ${max}, not ${JSON.stringify(value)}`);
      }
      return value;
    },
    boolean(key, fallback) {
      return this.optionalBoolean(key) ?? fallback;
    },
    optionalBoolean(key) {
      const value = get(key);
      if (value === undefined) return undefined;
      if (typeof value !== 'boolean') throw fail(key, `must be true or false, not ${JSON.stringify(value)}`);
      return value;
    },
    text(key, fallback) {
      const value = get(key);
      if (value === undefined || value === '') return fallback;
      if (typeof value !== 'string') throw fail(key, `must be text, not ${JSON.stringify(value)}`);
      return value;
    },
    oneOf(key, choices, fallback) {
      const value = get(key);
      if (value === undefined) return fallback;
      if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
        throw fail(key, `must be one of ${choices.join(', ')}, not ${JSON.stringify(value)}`);
      }
      return value as (typeof choices)[number];
    },
  };
}
