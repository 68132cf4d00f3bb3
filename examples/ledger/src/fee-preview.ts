/**
 * The fee a proposed rule would charge on a transfer, shown to callers the
 * `newFeeRule` flag targets (a `Fee-Preview` response header) before anyone
 * decides to charge it. A preview only: no money moves, no balance changes,
 * and the journal's rules stay the database's.
 */

/** The proposed fee, 0.1 % of the amount rounded up, in the transfer's minor units: exact, in bigint. */
export function feePreview(amount: bigint): bigint {
  return (amount + 999n) / 1000n;
}

/** The flag that shows it (declared in envward.config.ts, `production: 'requires-reason'`). */
export const FEE_PREVIEW_FLAG = 'newFeeRule';

/** Whether the flag is on for a client: an OpenFeature client's boolean evaluation. */
export interface FeatureFlags {
  getBooleanValue(flag: string, fallback: boolean, context: { targetingKey: string }): Promise<boolean>;
}
