import { EnvwardError } from '../errors.js';

/** A rule of defineAnonymisation is malformed (a name, a rule word, a faker method that does not exist). */
export class DataRuleError extends EnvwardError {
  constructor(where: string, problem: string) {
    super(
      'EW_DATA_RULE',
      'problem',
      `Anonymisation rule ${where}: ${problem}.`,
      'Fix the rule in defineAnonymisation of envward.config.ts (docs/data.md lists the rules).',
      { rule: where },
    );
  }
}
