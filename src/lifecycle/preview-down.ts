import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openProject, type Project } from '../config/resolve.js';
import type { Environment, PreviewRecord } from '../environment/index.js';
import { secretPaths } from '../secrets/paths.js';
import { removeEnvironmentFiles } from './environment-directory.js';
import { PreviewNotOursError } from './lifecycle-errors.js';
import { dropPreviewNamespace, previewSchema } from './preview-database.js';

export interface PreviewEntry {
  readonly name: string;
  readonly code: string;
  readonly from: string;
  readonly owner: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  /** Seconds since it was made. */
  readonly ageSeconds: number;
  readonly expired: boolean;
  /** `schema preview_pr_7` or `var/pr-7/app.db`. */
  readonly database: string;
}

export interface PreviewDown {
  readonly name: string;
  readonly database: string;
  /** Whether `preview.down` is in the template's audit log (its store may be out of reach here). */
  readonly audited: boolean;
  /** Why it was not audited, when it was not. */
  readonly warning?: string;
}

function describe(made: PreviewRecord['database']): string {
  return made.kind === 'postgres-schema' ? `schema ${made.schema}` : made.file;
}

function entry(environment: Environment & { preview: PreviewRecord }, now: Date): PreviewEntry {
  const { preview } = environment;
  return {
    name: environment.name,
    code: environment.code,
    from: preview.from,
    owner: preview.owner,
    createdAt: preview.createdAt,
    expiresAt: preview.expiresAt,
    ageSeconds: Math.max(0, Math.floor((now.getTime() - Date.parse(preview.createdAt)) / 1000)),
    expired: Date.parse(preview.expiresAt) <= now.getTime(),
    database: describe(preview.database),
  };
}

function previewsOf(project: Project): (Environment & { preview: PreviewRecord })[] {
  return project.environments.all.filter((environment): environment is Environment & { preview: PreviewRecord } =>
    Boolean(environment.preview),
  );
}

/** The preview environments, oldest first, with owner, age and expiry; reads only. */
export async function listPreviewsNow(request: { cwd?: string; now?: Date } = {}): Promise<PreviewEntry[]> {
  const project = await openProject(request.cwd);
  const now = request.now ?? new Date();
  return previewsOf(project)
    .map((environment) => entry(environment, now))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

export interface PreviewDownRequest {
  readonly cwd?: string;
  readonly name: string;
  readonly reason?: string;
  readonly actor?: string;
  readonly variables?: Readonly<Record<string, string | undefined>>;
}

/**
 * Removes a preview `preview up` made: its database namespace (refused if
 * stamped for another environment), then its directory and private key,
 * which is its catalogue entry, so a kill between the two leaves an entry
 * that the next `down` or `gc` finishes. Audited as `preview.down` in the
 * log of the environment it was made from, when that store opens here.
 */
export async function previewDownNow(request: PreviewDownRequest): Promise<PreviewDown> {
  const { root } = await openProject(request.cwd);
  const { withFileLock } = await import('../store/file-lock.js');
  mkdirSync(join(root, '.envward'), { recursive: true });
  // One remover at a time (two gcs from cron): the second reads the catalogue after the first is done.
  return withFileLock(join(root, '.envward', 'previews'), 'preview down', 60_000, () => removePreview(root, request));
}

async function removePreview(root: string, request: PreviewDownRequest): Promise<PreviewDown> {
  const project = await openProject(root);
  const environment = project.environments.get(request.name, 'preview down');
  const { preview } = environment;
  if (!preview) throw new PreviewNotOursError(environment.name, 'it has no preview record');
  // Only what preview up would have made under this name: a hand-edited record cannot aim the drop elsewhere.
  const made = preview.database;
  const expected = made.kind === 'postgres-schema' ? previewSchema(environment.name) : `var/${environment.name}/app.db`;
  const recorded = made.kind === 'postgres-schema' ? made.schema : made.file;
  if (recorded !== expected)
    throw new PreviewNotOursError(environment.name, `its record names ${recorded}, not ${expected}`);
  const url = await previewUrl(project, environment, request.variables);
  await dropPreviewNamespace(project.root, environment.name, url, made);
  removeEnvironmentFiles(project.root, environment.name, secretPaths(environment.name).privateKey);
  const audit = await auditInTemplate(
    project,
    preview.from,
    {
      action: 'preview.down',
      target: `${environment.name} (${describe(made)})`,
      ...(request.reason ? { reason: request.reason } : {}),
      outcome: 'done',
    },
    request,
  );
  return { name: environment.name, database: describe(made), ...audit };
}

/** The preview's database.url as its settings resolve it (never printed: it may carry a user name). */
async function previewUrl(
  project: Project,
  environment: Environment,
  variables: Readonly<Record<string, string | undefined>> | undefined,
): Promise<string> {
  const { resolveConfig } = await import('../resolution.js');
  const resolved = await resolveConfig({
    project,
    env: environment.name,
    checkHost: false,
    collectIssues: true,
    ...(variables !== undefined ? { variables } : {}),
  });
  const value = resolved.explain('database.url').value;
  return typeof value === 'string' ? value : '';
}

async function auditInTemplate(
  project: Project,
  from: string,
  event: { action: string; target: string; reason?: string; outcome: string },
  request: PreviewDownRequest,
): Promise<{ audited: boolean; warning?: string }> {
  try {
    const { resolveForAct } = await import('../runtime/revision-context.js');
    const { openStore } = await import('../store/index.js');
    const { resolved } = await resolveForAct(
      { project, env: from, ...(request.variables !== undefined ? { variables: request.variables } : {}) },
      { collectIssues: true },
    );
    const store = await openStore(resolved, { ...(request.actor !== undefined ? { actor: request.actor } : {}) });
    try {
      await store.audit.append(event);
    } finally {
      await store.close();
    }
    return { audited: true };
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'error';
    return {
      audited: false,
      warning: `${event.action} was not audited in ${from}'s log (${code}): its store does not open here`,
    };
  }
}

export interface PreviewGc {
  readonly removed: readonly PreviewDown[];
  /** Expired previews that could not be removed, and why (the next gc tries again). */
  readonly failed: readonly { readonly name: string; readonly code: string; readonly message: string }[];
  readonly kept: number;
}

/** Removes every expired preview; one failure does not stop the others. Safe from cron: a second gc finds less to do. */
export async function previewGcNow(
  request: { cwd?: string; now?: Date; actor?: string; variables?: Readonly<Record<string, string | undefined>> } = {},
): Promise<PreviewGc> {
  const previews = await listPreviewsNow(request);
  const removed: PreviewDown[] = [];
  const failed: { name: string; code: string; message: string }[] = [];
  for (const preview of previews.filter((entry) => entry.expired)) {
    try {
      removed.push(
        await previewDownNow({
          name: preview.name,
          reason: `expired at ${preview.expiresAt}`,
          ...(request.cwd !== undefined ? { cwd: request.cwd } : {}),
          ...(request.actor !== undefined ? { actor: request.actor } : {}),
          ...(request.variables !== undefined ? { variables: request.variables } : {}),
        }),
      );
    } catch (error) {
      const { code = 'error', message = String(error) } = error as { code?: string; message?: string };
      // Another gc removed it first: nothing left to do.
      if (code === 'EW_ENV_UNKNOWN') continue;
      failed.push({ name: preview.name, code, message });
    }
  }
  return { removed, failed, kept: previews.length - removed.length - failed.length };
}
