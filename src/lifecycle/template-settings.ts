import { bundledYaml } from '../bundled/index.js';
import { ConfigParseError } from '../errors.js';

/** The keys that say where an environment's database is: never copied from a template. */
const STORE_LOCATION: readonly (readonly string[])[] = [
  ['database', 'url'],
  ['database', 'fallback'],
  ['database', 'schema'],
  ['database', 'tablePrefix'],
  ['database', 'shareWith'],
];

export interface CopiedSettings {
  /** The store-location keys the template set, by dotted key, with their values. */
  readonly removed: ReadonlyMap<string, unknown>;
  /** The copy as YAML, comments kept, with `set` (dotted key -> value) written in. */
  text(set: Readonly<Record<string, unknown>>): string;
}

/** A template's settings.yml without the keys that locate its database (comments and order kept). */
export function settingsWithoutStoreLocation(source: string, file: string): CopiedSettings {
  const document = bundledYaml().parseDocument(source, { prettyErrors: false });
  const [error] = document.errors;
  if (error) throw new ConfigParseError({ file }, error.message.split('\n')[0] ?? 'invalid YAML');
  const removed = new Map<string, unknown>();
  for (const path of STORE_LOCATION) {
    if (!document.hasIn(path)) continue;
    removed.set(path.join('.'), document.getIn(path));
    document.deleteIn(path);
  }
  const database = document.getIn(['database']);
  if (
    database &&
    typeof database === 'object' &&
    'items' in database &&
    (database as { items: unknown[] }).items.length === 0
  ) {
    document.deleteIn(['database']);
  }
  return {
    removed,
    text(set) {
      for (const [key, value] of Object.entries(set)) document.setIn(key.split('.'), value);
      return document.toString();
    },
  };
}

/**
 * The new environment's database beside the template's: the same server
 * with the database name changed (`ledger_staging` -> `ledger_qa`), or a
 * SQLite file of its own name. Undefined when no safe guess exists.
 * `shown` hides a password.
 */
export function derivedDatabaseUrl(
  url: string,
  template: string,
  name: string,
): { url: string; shown: string } | undefined {
  const own = name.replaceAll('-', '_');
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length);
    const replaced = file.includes(template) ? file.replaceAll(template, name) : undefined;
    const derived = `sqlite:${replaced ?? `var/${name}/app.db`}`;
    return { url: derived, shown: derived };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (database === '') return undefined;
  const templateWord = template.replaceAll('-', '_');
  parsed.pathname = `/${encodeURIComponent(database.includes(templateWord) ? database.replaceAll(templateWord, own) : `${database}_${own}`)}`;
  const derived = parsed.toString();
  if (parsed.password !== '') parsed.password = '***';
  return { url: derived, shown: parsed.toString() };
}
