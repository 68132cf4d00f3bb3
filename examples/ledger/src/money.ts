/**
 * Money as the ledger handles it: integers in minor units of an ISO 4217
 * currency, as bigint in the code and the database, as strings of digits in
 * JSON (a JSON number cannot carry every amount exactly, and
 * `99999.99999999999999999` would arrive as 100000).
 */
import currencyCodes from 'currency-codes';

/** The largest amount a bigint column holds (2^63 - 1). */
export const MAX_MINOR = 9_223_372_036_854_775_807n;

const MINOR_UNITS = /^(0|[1-9][0-9]{0,18})$/;

/** The currency's ISO 4217 exponent (EUR 2, JPY 0, KWD 3), or undefined for a code that is no currency. */
export function currencyExponent(code: string): number | undefined {
  // The table looks codes up in any case; an account's currency is the code as ISO writes it.
  if (!/^[A-Z]{3}$/.test(code)) return undefined;
  const entry = currencyCodes.code(code);
  // The Zz entries are ISO's placeholders (gold, testing, "no currency"), not money an account holds.
  if (!entry || entry.countries.every((country) => country.startsWith('Zz'))) return undefined;
  return entry.digits;
}

/** `text` as an amount in minor units: digits only, no sign, no fraction, at most 2^63 - 1; undefined otherwise. */
export function parseMinor(text: unknown): bigint | undefined {
  if (typeof text !== 'string' || !MINOR_UNITS.test(text)) return undefined;
  const value = BigInt(text);
  return value <= MAX_MINOR ? value : undefined;
}

/** Whole units of `currency` (a configured limit such as 1000) in its minor units. */
export function majorToMinor(major: number, currency: string): bigint {
  const exponent = currencyExponent(currency);
  if (exponent === undefined) throw new Error(`${currency} is not an ISO 4217 currency`);
  return BigInt(major) * 10n ** BigInt(exponent);
}

/** `1,234.56 EUR`, `1,234 JPY`, `-0.005 KWD`: exact, from minor units. */
export function formatMinor(amount: bigint, currency: string): string {
  const exponent = BigInt(currencyExponent(currency) ?? 0);
  const negative = amount < 0n;
  const absolute = negative ? -amount : amount;
  const scale = 10n ** exponent;
  const whole = (absolute / scale).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const fraction = exponent > 0n ? `.${(absolute % scale).toString().padStart(Number(exponent), '0')}` : '';
  return `${negative ? '-' : ''}${whole}${fraction} ${currency}`;
}
