import { createHmac, type KeyObject } from 'node:crypto';
import { importPeer } from '../peers.js';
import type { CheckedColumnRule, CheckedTableRule } from './anonymisation-rules.js';
import { DataRuleError } from './data-errors.js';

/** A fake for one source value: the same (seed, rule, value) gives the same fake, in every table and run. */
export type FakeValue = (rule: readonly [string, string], value: string) => string;

// 6-byte words: 48 bits fill a double's mantissa exactly, so next() is uniform in [0, 1).
const WORD_BYTES = 6;
const WORD_RANGE = 2 ** 48;
// About 100 bytes each: a bound on memory, not on the table's size (the oldest is forgotten first).
const FAKES_REMEMBERED = 200_000;

/**
 * faker's Randomizer interface fed from HMAC-SHA512(seedKey, rule \0 value),
 * extended by a counter when one digest's words run out. Resetting it per
 * value is what makes fakes a function of the source value; reseeding
 * faker's own generator per value costs ~30 µs, a digest ~1 µs. Closures,
 * not methods: faker calls `next` detached from the object.
 */
function valueRandomizer(key: KeyObject) {
  let input = '';
  let digest = Buffer.alloc(0);
  let offset = 0;
  let counter = 0;
  const refill = () => {
    const hmac = createHmac('sha512', key).update(input);
    if (counter > 0) hmac.update(`\0${counter}`);
    digest = hmac.digest();
    offset = 0;
    counter += 1;
  };
  return {
    reset(text: string): void {
      input = text;
      counter = 0;
      refill();
    },
    next(): number {
      if (offset + WORD_BYTES > digest.length) refill();
      const word = digest.readUIntBE(offset, WORD_BYTES);
      offset += WORD_BYTES;
      return word / WORD_RANGE;
    },
    /** faker's interface; the value, not a numeric seed, decides what comes next. */
    seed(): void {},
  };
}

function text(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  return typeof value === 'string' ? value : String(value);
}

/**
 * Loads @faker-js/faker (only when a rule asks for it), checks that every
 * `fake.<module>.<method>` exists (EW_DATA_RULE naming the column
 * otherwise), and returns the fake-maker keyed by `seedKey`.
 */
export async function seededFaker(
  seedKey: KeyObject,
  rules: readonly { readonly where: string; readonly rule: CheckedColumnRule }[],
): Promise<FakeValue | undefined> {
  const fakes = rules.filter((entry) => entry.rule.kind === 'fake');
  if (fakes.length === 0) return undefined;
  const { Faker, en, base } = await importPeer('envward/data', () => import('@faker-js/faker'), ['@faker-js/faker']);
  const randomizer = valueRandomizer(seedKey);
  const faker = new Faker({ locale: [en, base], randomizer });
  const methods = new Map<string, () => unknown>();
  for (const { where, rule } of fakes) {
    if (rule.kind !== 'fake') continue;
    const [moduleName, methodName] = rule.path;
    const module = (faker as unknown as Record<string, Record<string, unknown> | undefined>)[moduleName];
    const method = methodName === 'constructor' ? undefined : module?.[methodName];
    if (typeof method !== 'function') {
      throw new DataRuleError(where, `@faker-js/faker has no ${moduleName}.${methodName} (see fakerjs.dev/api)`);
    }
    methods.set(`${moduleName}.${methodName}`, (method as () => unknown).bind(module));
  }
  // One source value often recurs (a name in customers and in accounts): made once, looked up after.
  const made = new Map<string, string>();
  return (path, value) => {
    const name = `${path[0]}.${path[1]}`;
    const input = `${name}\0${value}`;
    const known = made.get(input);
    if (known !== undefined) return known;
    randomizer.reset(input);
    const fake = text((methods.get(name) as () => unknown)());
    // The oldest made is forgotten first (a Map iterates in insertion order): clearing them all at once
    // would make a table's worth again after one new value (the funding account between two tables of names).
    if (made.size >= FAKES_REMEMBERED) made.delete(made.keys().next().value as string);
    made.set(input, fake);
    return fake;
  };
}

/**
 * Starts loading @faker-js/faker when a rule will need it, so its ~200 ms of
 * import overlap the stores being opened instead of following them;
 * seededFaker then finds it loaded (a failure is reported there, by importPeer).
 */
export function preloadFaker(rules: ReadonlyMap<string, CheckedTableRule>): void {
  const fakes = [...rules.values()].some(
    (table) => !table.skip && [...table.columns.values()].some((rule) => rule.kind === 'fake'),
  );
  if (fakes) import('@faker-js/faker').catch(() => {});
}
