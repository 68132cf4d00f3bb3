/** What a secret value looks like in every output: fixed, so its length does not leak. */
export const MASK = '••••••';

/** The value as it may be shown: masked when secret and set. */
export function displayValue(value: unknown, secret: boolean): unknown {
  if (!secret || value === undefined || value === null) return value;
  return MASK;
}
