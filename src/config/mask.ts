/** What a secret value looks like in every output: fixed, so its length does not leak. */
export const MASK = '••••••';

/** What a URL's password looks like when shown (`postgres://user:***@host/db`); URL-safe, unlike MASK. */
export const URL_PASSWORD_MASK = '***';

/** The text parsed as a URL (WHATWG), or undefined when it is not one. */
function parseUrl(text: string): URL | undefined {
  if (!text.includes('@') || !URL.canParse(text)) return undefined;
  return new URL(text);
}

/**
 * The text with a URL's password (userinfo) masked: `postgres://app:***@db/app`.
 * Any value that parses as a URL with a password is shown this way, whatever
 * its key is called, so a password is not printed because its key was not
 * declared secret().
 */
export function maskUrlPassword(text: string): string {
  const url = parseUrl(text);
  if (!url?.password) return text;
  url.password = URL_PASSWORD_MASK;
  return url.href;
}

/** The password of every URL in `value` (strings, or inside arrays and objects), as written and decoded. */
export function urlPasswords(value: unknown): string[] {
  const found: string[] = [];
  visitStrings(value, (text) => {
    const password = parseUrl(text)?.password;
    if (!password) return;
    found.push(password);
    try {
      found.push(decodeURIComponent(password));
    } catch {
      // Not valid percent-encoding: the written form is the only one.
    }
  });
  return found;
}

function visitStrings(value: unknown, visit: (text: string) => void): void {
  if (typeof value === 'string') visit(value);
  else if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) visitStrings(child, visit);
  }
}

/** Every string URL password in `value` masked; the same object when there is none. */
function maskUrlPasswords(value: unknown): unknown {
  if (typeof value === 'string') return maskUrlPassword(value);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value);
  const masked = entries.map(([key, child]) => [key, maskUrlPasswords(child)] as const);
  if (masked.every(([, child], i) => child === entries[i]?.[1])) return value;
  return Array.isArray(value) ? masked.map(([, child]) => child) : Object.fromEntries(masked);
}

/** The value as it may be shown: masked when secret and set, and any URL's password masked otherwise. */
export function displayValue(value: unknown, secret: boolean): unknown {
  if (value === undefined || value === null) return value;
  if (secret) return MASK;
  return maskUrlPasswords(value);
}

/**
 * Every text a secret value may appear as in output, for scrubbing by value:
 * the value itself, and for a structured value (a secret record or object)
 * its JSON and every key and leaf within, since each of those is secret too.
 */
export function secretTexts(value: unknown): string[] {
  if (value === undefined || value === null || value === '') return [];
  if (typeof value === 'string') return [value];
  if (typeof value === 'number' || typeof value === 'bigint') return [String(value)];
  if (typeof value !== 'object') return [];
  const texts = [JSON.stringify(value, (_key, child) => (typeof child === 'bigint' ? String(child) : child))];
  for (const [key, child] of Object.entries(value)) {
    if (!Array.isArray(value)) texts.push(key);
    texts.push(...secretTexts(child));
  }
  return texts;
}
