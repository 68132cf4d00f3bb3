import type { Environment, EnvironmentCatalogue } from '../environment/index.js';
import { CrossEnvironmentIdError, StoreNameError } from './store-errors.js';

const KIND = /^[a-z][a-z0-9]{0,11}$/;
// CODE-KIND-uuid: the shape ids.next() makes; the code is checked against the catalogue.
const CODED_ID =
  /^([A-Z0-9]{2,4})-[A-Z][A-Z0-9]{0,11}-[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const CODED_ID_LENGTH_MIN = 2 + 1 + 1 + 1 + 36;

/** Environment-coded ids: `PRD-TXN-<uuidv7>`. */
export interface EnvironmentIds {
  next(kind: string): string;
  /** Throws EW_CROSS_ENV_ID when `value` is an id coded for another environment. */
  assertOwn(value: string): void;
}

export function environmentIds(
  environment: Environment,
  catalogue: EnvironmentCatalogue,
  uuidv7: () => string,
): EnvironmentIds {
  const owners = new Map(catalogue.all.map((entry) => [entry.code, entry.name]));
  const prefixes = new Map<string, string>();
  const ownPrefix = `${environment.code}-`;
  return {
    next(kind) {
      let prefix = prefixes.get(kind);
      if (prefix === undefined) {
        if (!KIND.test(kind)) throw new StoreNameError('id kind', kind);
        prefix = `${environment.code}-${kind.toUpperCase()}-`;
        prefixes.set(kind, prefix);
      }
      return prefix + uuidv7();
    },
    assertOwn(value) {
      // A length and a character test first: most values written are not ids. Then this environment's
      // own code, as most ids written are its own: never refused, so no pattern need be matched.
      if (value.length < CODED_ID_LENGTH_MIN || value.charCodeAt(2) > 90 || value.indexOf('-') > 4) return;
      if (value.startsWith(ownPrefix)) return;
      const match = CODED_ID.exec(value);
      if (!match) return;
      const code = match[1] as string;
      if (code === environment.code) return;
      const owner = owners.get(code);
      if (owner !== undefined) throw new CrossEnvironmentIdError(environment.name, code, owner);
    },
  };
}
