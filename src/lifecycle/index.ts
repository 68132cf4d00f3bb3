/**
 * Environments made and removed at run time: `env create` from a template,
 * preview environments with a time to live. Every function loads its
 * implementation when called, so importing this loads nothing.
 */
import type { CreatedEnvironment, CreateEnvironmentRequest } from './create-environment.js';
import type { PreviewDown, PreviewDownRequest, PreviewEntry, PreviewGc } from './preview-down.js';
import type { PreviewUp, PreviewUpRequest } from './preview-up.js';

export type { CreatedEnvironment, CreateEnvironmentRequest } from './create-environment.js';
export {
  EnvCodeTakenError,
  EnvExistsError,
  EnvNameMisleadingError,
  PreviewInputError,
  PreviewNotOursError,
} from './lifecycle-errors.js';
export type { PreviewDown, PreviewDownRequest, PreviewEntry, PreviewGc } from './preview-down.js';
export type { PreviewUp, PreviewUpRequest } from './preview-up.js';

/**
 * Makes `config/environments/<name>/` from a template environment: settings
 * copied except where its database is, a declaration file, a new key pair;
 * the template's secrets listed to set, never copied.
 * @example const qa = await createEnvironment({ name: 'qa', from: 'staging' });
 */
export async function createEnvironment(request: CreateEnvironmentRequest): Promise<CreatedEnvironment> {
  const { createEnvironment: create } = await import('./create-environment.js');
  return create(request);
}

/**
 * Makes a preview environment (tier preview) with a time to live: declared
 * in config/environments/<name>/environment.yml, its own key pair, and its
 * database (a PostgreSQL schema or a SQLite file) stamped, migrated and
 * seeded as its template is. Returns the name to deploy with.
 * @example const { name } = await previewUp({ name: 'pr-123', from: 'staging', ttl: '72h' });
 */
export async function previewUp(request: PreviewUpRequest): Promise<PreviewUp> {
  return (await import('./preview-up.js')).previewUpNow(request);
}

/**
 * The preview environments with owner, age and expiry; reads only.
 * @example const expired = (await listPreviews()).filter((preview) => preview.expired);
 */
export async function listPreviews(request: { cwd?: string; now?: Date } = {}): Promise<PreviewEntry[]> {
  return (await import('./preview-down.js')).listPreviewsNow(request);
}

/**
 * Removes a preview that `preview up` made: its database namespace, then its
 * files; refuses anything else (EW_PREVIEW_NOT_OURS).
 * @example await previewDown({ name: 'pr-123', reason: 'merged' });
 */
export async function previewDown(request: PreviewDownRequest): Promise<PreviewDown> {
  return (await import('./preview-down.js')).previewDownNow(request);
}

/**
 * Removes every expired preview; safe to run from cron.
 * @example const { removed } = await previewGc();
 */
export async function previewGc(
  request: { cwd?: string; now?: Date; actor?: string; variables?: Readonly<Record<string, string | undefined>> } = {},
): Promise<PreviewGc> {
  return (await import('./preview-down.js')).previewGcNow(request);
}
