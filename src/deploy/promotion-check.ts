/**
 * The promotion order as preflight checks it: with `deploy.promotionOrder`
 * `[staging, production]`, a version may go to production only once
 * staging has a `succeeded` record of it and no `failed` or `rolled-back`
 * record after that. The previous environment's store is opened for
 * inspection only (as `db status` does): nothing is stamped, made or
 * written there.
 */
import type { Kysely } from 'kysely';
import { settingsOf } from '../config/capability-settings.js';
import type { ResolvedConfig } from '../config/resolve.js';
import { type EnvwardError, isEnvwardError } from '../errors.js';
import { resolveForAct } from '../runtime/revision-context.js';
import { openStore } from '../store/index.js';
import { stampRefusal } from '../store/stamp-refusal.js';
import { DeployNotPromotedError, DeployPreviousUnreadableError, DeployVersionMissingError } from './deploy-errors.js';
import { deploy } from './deploy-settings.js';
import { type DeploymentTables, versionRows } from './deployment-table.js';

/** What the check found: pass, or the one finding that fails it. */
export interface PromotionResult {
  readonly summary: string;
  readonly finding?: EnvwardError;
}

/** Where preflight runs: the previous environment is resolved with the same variables and host. */
export interface PromotionContext {
  readonly variables: Readonly<Record<string, string | undefined>>;
  readonly hostname: string;
}

/** The environment before `resolved`'s in `deploy.promotionOrder`, null when it is first, undefined when not listed. */
export function previousInOrder(resolved: ResolvedConfig<unknown>): string | null | undefined {
  const order = settingsOf(resolved, deploy).promotionOrder;
  const index = order.indexOf(resolved.environment.name);
  if (index < 0) return undefined;
  return index === 0 ? null : (order[index - 1] as string);
}

function describe(error: unknown): string {
  return isEnvwardError(error) ? `${error.code}: ${error.message}` : String(error);
}

/** See the file's comment; undefined when the promotion order does not name this environment. */
export async function checkPromotion(
  resolved: ResolvedConfig<unknown>,
  version: string | undefined,
  context: PromotionContext,
): Promise<PromotionResult | undefined> {
  const environment = resolved.environment.name;
  const previous = previousInOrder(resolved);
  if (previous === undefined) return undefined;
  if (previous === null) return { summary: `${environment} is first in deploy.promotionOrder: nothing to follow` };
  if (version === undefined) {
    return {
      summary: `${previous} must run the version first; no version given`,
      finding: new DeployVersionMissingError(environment, previous),
    };
  }
  const unreadable = (cause: string) => ({
    summary: `cannot read ${previous}'s deployment records`,
    finding: new DeployPreviousUnreadableError(environment, previous, cause),
  });
  let store: Awaited<ReturnType<typeof openStore>>;
  try {
    const { resolved: before } = await resolveForAct(
      { project: resolved.project, env: previous, variables: context.variables, hostname: context.hostname },
      { collectIssues: true },
    );
    store = await openStore(before, { stampMode: 'inspect' });
  } catch (error) {
    return unreadable(describe(error));
  }
  try {
    const refusal =
      store.sharingRefusal ??
      (store.stamp &&
        stampRefusal(
          store.stamp,
          {
            environment: store.environment,
            project: resolved.project.definition.project ?? '',
            identity: store.identity,
          },
          store.where,
        ));
    if (refusal) return unreadable(describe(refusal));
    const rows = await versionRows(store.db as unknown as Kysely<DeploymentTables>, previous, version);
    const lastSucceeded = rows.findLastIndex((row) => row.outcome === 'succeeded');
    if (lastSucceeded < 0) {
      return {
        summary: `${version} has not succeeded in ${previous}`,
        finding: new DeployNotPromotedError(
          environment,
          previous,
          version,
          `${previous} has no succeeded record of it`,
        ),
      };
    }
    const undone = rows
      .slice(lastSucceeded + 1)
      .find((row) => row.outcome === 'failed' || row.outcome === 'rolled-back');
    if (undone) {
      return {
        summary: `${version} was ${undone.outcome} in ${previous} after it succeeded`,
        finding: new DeployNotPromotedError(
          environment,
          previous,
          version,
          `${previous} recorded it ${undone.outcome} (#${undone.id}, ${undone.at}) after it succeeded`,
        ),
      };
    }
    const succeeded = rows[lastSucceeded];
    return { summary: `${version} succeeded in ${previous} (#${succeeded?.id}, ${succeeded?.at})` };
  } catch (error) {
    return unreadable(describe(error));
  } finally {
    await store.close();
  }
}
