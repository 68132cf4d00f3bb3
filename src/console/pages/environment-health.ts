/**
 * What the overview reads of one environment: the library's preflight (host,
 * configuration, secrets, database and stamp, migrations; read-only: the
 * store is opened to inspect, nothing is stamped, migrated or audited) and
 * the latest runtime revision with when and by whom. Each environment gets
 * a deadline, so one unreachable database cannot stall the page: past it the
 * reading is `timedOut` and the work left running ends on its own (the
 * store's connect timeout) with nothing written.
 */
import type { ResolvedConfig } from '../../config/resolve.js';
import type { Environment } from '../../environment/index.js';
import { isEnvwardError } from '../../errors.js';
import { type PreflightReport, runPreflight } from '../../preflight/index.js';
import { resolveConfig } from '../../resolution.js';
import { revisionDb } from '../../runtime/applied-revision.js';
import { latestRevisionRow } from '../../runtime/revision-table.js';
import type { ConsoleSite } from '../site.js';
import { readOptions, SEALED_SECRETS } from './environment-reading.js';

/** How long the overview waits for one environment. */
export const HEALTH_DEADLINE_MS = 2_000;

/** The latest runtime revision: 'none' before the first, or why it was not read (code and message, never a value). */
export type RevisionFact =
  | { readonly kind: 'revision'; readonly number: number; readonly at: string; readonly actor: string }
  | { readonly kind: 'none' }
  | { readonly kind: 'unread'; readonly why: string };

export type EnvironmentHealth =
  | {
      readonly kind: 'read';
      readonly preflight: PreflightReport | { readonly error: string };
      readonly revision: RevisionFact;
    }
  | { readonly kind: 'timedOut'; readonly afterMs: number };

function errorText(error: unknown): string {
  return isEnvwardError(error) ? `${error.code}: ${error.message}` : 'an unexpected error (see the server log)';
}

/** The configuration as far as it resolves here: without the secrets when this host cannot open them. */
async function resolveHere(site: ConsoleSite, name: string): Promise<ResolvedConfig<unknown>> {
  const options = readOptions(site, name);
  try {
    return await resolveConfig<unknown>(options);
  } catch (error) {
    if (!isEnvwardError(error) || !error.code.startsWith('EW_SECRET_')) throw error;
    return resolveConfig<unknown>({ ...options, layers: [SEALED_SECRETS] });
  }
}

/** The latest runtime revision, read from the store opened read-only (a database never made has none). */
async function latestRevisionFact(site: ConsoleSite, name: string): Promise<RevisionFact> {
  try {
    const resolved = await resolveHere(site, name);
    if (!resolved.project.schema.leaves.has('database.url')) return { kind: 'none' };
    const { openStore } = await import('../../store/index.js');
    const store = await openStore(resolved, { stampMode: 'read' });
    try {
      const row = await latestRevisionRow(revisionDb(store), name);
      return row ? { kind: 'revision', number: row.number, at: row.at, actor: row.actor } : { kind: 'none' };
    } finally {
      await store.close();
    }
  } catch (error) {
    if (isEnvwardError(error) && (error.code === 'EW_DB_MISSING' || error.code === 'EW_PEER_MISSING')) {
      return { kind: 'none' };
    }
    return { kind: 'unread', why: errorText(error) };
  }
}

async function preflightOf(site: ConsoleSite, name: string): Promise<PreflightReport | { readonly error: string }> {
  try {
    return await runPreflight(name, { project: site.project, variables: site.variables, hostname: site.hostname });
  } catch (error) {
    return { error: errorText(error) };
  }
}

/** One environment's health, or `timedOut` when it takes longer than `deadlineMs`. */
export async function readHealth(
  site: ConsoleSite,
  environment: Environment,
  deadlineMs = HEALTH_DEADLINE_MS,
): Promise<EnvironmentHealth> {
  const reading = Promise.all([preflightOf(site, environment.name), latestRevisionFact(site, environment.name)]).then(
    ([preflight, revision]): EnvironmentHealth => ({ kind: 'read', preflight, revision }),
  );
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<EnvironmentHealth>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'timedOut', afterMs: deadlineMs }), deadlineMs);
  });
  try {
    return await Promise.race([reading, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
