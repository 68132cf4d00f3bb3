import { EnvwardError } from '../errors.js';

/** A flag in `flags({...})` of envward.config.ts is declared wrong; thrown when the project file is loaded. */
export class FlagDefinitionError extends EnvwardError {
  constructor(flag: string, problem: string) {
    super(
      'EW_FLAG_DEFINITION',
      'problem',
      `Flag "${flag}" in flags({...}) of envward.config.ts: ${problem}.`,
      'Fix the declaration: a flag is `{ type: "boolean" | "string" | "number" | "json", default, variants?, production? }` (docs/flags.md).',
      { flag },
    );
  }
}
