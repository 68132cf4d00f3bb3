import { EnvwardError } from '../errors.js';

/** A `log.*`, `alerts.*` or `database.slowQueryMs` value envward reads is of the wrong kind. */
export class ObserveSettingError extends EnvwardError {
  constructor(key: string, environment: string, problem: string) {
    super(
      'EW_OBSERVE_SETTING',
      'problem',
      `${key} of ${environment} ${problem}.`,
      `Fix ${key} in ${environment}'s settings.yml (or the layer that sets it), or remove it to use the tier's default; docs/observability.md lists the keys.`,
      { key, environment },
    );
  }
}
