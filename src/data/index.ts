/**
 * envward/data: data between environments. `defineAnonymisation` declares,
 * in envward.config.ts, how every column of every table may leave its
 * environment. Importing it loads zod only. Every name is listed on purpose
 * and documented in docs/api.md.
 */
export {
  type AnonymisationFragment,
  type AnonymisationRules,
  type ColumnRule,
  type ColumnRuleContext,
  type ColumnRuleFunction,
  defineAnonymisation,
  type TableRule,
} from './anonymisation-rules.js';
export { DataRuleError } from './data-errors.js';
