import type { Environment, EnvironmentCatalogue } from '../environment/index.js';
import { type Namespace, type NamespaceStamp, stampTableOf } from './stamp-survey.js';
import { SharedDatabaseError } from './store-errors.js';

const PROTECTED_TIERS: ReadonlySet<string> = new Set(['staging', 'production']);

/** Who opens a namespace of a database: its environment, what it declares it shares, and the project's catalogue. */
export interface SharingOpener {
  readonly environment: Pick<Environment, 'name' | 'tier' | 'protected'>;
  readonly namespace: Namespace;
  /** `database.shareWith` of the opener's settings. */
  readonly shares: readonly string[];
  /**
   * What the opener's own stamp in this database declared ([] when it has
   * none here yet): a declaration counts towards another protected
   * environment only once it was recorded, so a newcomer cannot let itself in.
   */
  readonly recorded: readonly string[];
  readonly catalogue: Pick<EnvironmentCatalogue, 'has' | 'get'>;
}

/** What the other namespaces' stamps allow: a refusal, or the declared sharings that admitted this opener. */
export interface SharingDecision {
  readonly refusal: SharedDatabaseError | undefined;
  /** Other namespaces of a protected environment that admitted the opener by a declared sharing. */
  readonly declared: readonly NamespaceStamp[];
}

function isProtected(stamp: NamespaceStamp['stamp'], catalogue: SharingOpener['catalogue']): boolean {
  if (PROTECTED_TIERS.has(stamp.tier)) return true;
  return catalogue.has(stamp.environment) && catalogue.get(stamp.environment, 'a stamp').protected;
}

/**
 * Whether `opener` may use its namespace of a database whose other
 * namespaces hold `others` (see surveyStamps). The same environment in
 * several namespaces is fine, and so are unprotected environments side by
 * side. Where either side is protected, the two must be of the same tier,
 * and the protected side must have declared the other in
 * `database.shareWith`: another protected environment in its stamp (or the
 * opener in the stamp it recorded here earlier), never a newcomer in its own
 * settings alone; an unprotected other needs only the opener's settings.
 * @example
 * const { refusal } = sharingDecision(others, { environment, namespace, shares: [], catalogue }, store.where);
 */
export function sharingDecision(
  others: readonly NamespaceStamp[],
  opener: SharingOpener,
  where: string,
): SharingDecision {
  const { environment } = opener;
  const declared: NamespaceStamp[] = [];
  for (const other of others) {
    const { stamp } = other;
    if (stamp.environment === environment.name) continue;
    const otherProtected = isProtected(stamp, opener.catalogue);
    if (!otherProtected && !environment.protected) continue;
    const self = { environment: environment.name, tier: environment.tier, table: stampTableOf(opener.namespace) };
    const owner = {
      environment: stamp.environment,
      tier: stamp.tier,
      table: other.table,
      host: stamp.host,
      at: stamp.stampedAt,
    };
    const guarded = otherProtected ? stamp.environment : environment.name;
    if (stamp.tier !== environment.tier) {
      return { refusal: new SharedDatabaseError(self, owner, where, 'tiers', guarded), declared: [] };
    }
    const admitted = otherProtected
      ? stamp.shares.includes(environment.name) || opener.recorded.includes(stamp.environment)
      : opener.shares.includes(stamp.environment);
    if (!admitted) return { refusal: new SharedDatabaseError(self, owner, where, 'undeclared', guarded), declared: [] };
    declared.push(other);
  }
  return { refusal: undefined, declared };
}
