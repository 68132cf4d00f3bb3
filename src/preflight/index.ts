export type {
  CheckName,
  CheckStatus,
  PreflightCheck,
  PreflightFinding,
  PreflightIntegration,
  PreflightReport,
} from './preflight-report.js';
export type { PreflightOptions } from './run-preflight.js';

import type { PreflightReport } from './preflight-report.js';
import type { PreflightOptions } from './run-preflight.js';

/**
 * The deploy gate for one environment (see run-preflight.ts); loads the
 * store and migration code on first use only.
 * @example
 * const report = await runPreflight('production');
 * report.outcome; // 'clear' | 'findings' | 'refused'
 */
export async function runPreflight(environment: string, options?: PreflightOptions): Promise<PreflightReport> {
  return (await import('./run-preflight.js')).runPreflight(environment, options);
}
