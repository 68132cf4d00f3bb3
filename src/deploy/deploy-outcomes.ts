// Apart from deployment-table.ts so that the HTTP metrics can name the outcomes without loading Kysely.

/** How a deployment went, as `deploy record --outcome` says it. */
export const DEPLOY_OUTCOMES = Object.freeze(['started', 'succeeded', 'failed', 'rolled-back'] as const);
export type DeployOutcome = (typeof DEPLOY_OUTCOMES)[number];
