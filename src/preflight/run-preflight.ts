import { hostname as osHostname } from 'node:os';
import {
  type ConfigLayer,
  openProject,
  type Project,
  type ResolvedConfig,
  shadowedSecretWarnings,
} from '../config/index.js';
import { checkedVersion } from '../deploy/deployment-input.js';
import { checkPromotion } from '../deploy/promotion-check.js';
import { assertHostAllowed, type ForceOverride } from '../environment/index.js';
import type { ConfigIssue } from '../errors.js';
import { EnvwardError } from '../errors.js';
import { migrationPlan, migrationStatus } from '../migrate/index.js';
import { integrationModes, integrationsFragment } from '../outbound/integration-settings.js';
import { resolveConfig } from '../resolution.js';
import { SecretKeyMissingError, scanProject, storedSecretNames } from '../secrets/index.js';
import { sameDatabase } from '../store/database-identity.js';
import { DatabaseUnstampedError, openStore } from '../store/index.js';
import { stampRefusal } from '../store/stamp-refusal.js';
import {
  type CheckName,
  outcomeOf,
  type PreflightCheck,
  type PreflightFinding,
  type PreflightIntegration,
  type PreflightReport,
} from './preflight-report.js';

export interface PreflightOptions {
  /** Project directory (or below it); default `process.cwd()`. */
  readonly cwd?: string;
  readonly project?: Project;
  /** Process variables as the deploy will see them; default `process.env`. */
  readonly variables?: Readonly<Record<string, string | undefined>>;
  readonly hostname?: string;
  /** Lets a refused host check through (reported, not hidden). */
  readonly force?: ForceOverride;
  /**
   * The version about to be deployed, checked against `deploy.promotionOrder`;
   * default the variable ENVWARD_VERSION (of `variables`). A malformed one is
   * EW_DEPLOY_INPUT before anything is checked.
   */
  readonly version?: string;
}

/** The variable preflight reads the version from when none is given. */
export const VERSION_VARIABLE = 'ENVWARD_VERSION';

/** Stands in for the secrets layer when the values cannot be opened here: presence is checked by name instead. */
const UNOPENED_SECRETS: ConfigLayer = { name: 'secrets', load: async () => ({ entries: [], issues: [] }) };

const SECRET_RULES = new Set(['EW_RULE_SECRET_UNSET', 'EW_RULE_SECRET_DEFAULT', 'EW_RULE_SECRET_PLAIN']);
// Failures to open the stored values; the rest of the configuration is still checked without them.
const UNOPENED = new Set([
  'EW_SECRET_KEY_MISSING',
  'EW_SECRET_KEY_WRONG',
  'EW_SECRET_DECRYPT',
  'EW_SECRET_FILE',
  'EW_SECRET_KEY_PERMISSIONS',
]);

const INTEGRATION_RULES = new Set(['EW_RULE_INTEGRATION_MOCK', 'EW_RULE_INTEGRATION_LIVE']);

const isSecretRule = (issue: ConfigIssue) => SECRET_RULES.has(issue.code);
const isIntegrationRule = (issue: ConfigIssue) => INTEGRATION_RULES.has(issue.code);

/** Each integration's mode, one note per integration; the mode rules' findings (mock in production) fail it. */
function integrationsCheck(
  resolved: ResolvedConfig<unknown>,
  listings: readonly PreflightIntegration[],
): PreflightCheck {
  const width = Math.max(...listings.map((listing) => listing.name.length));
  return check(
    'integrations',
    listings.length === 0
      ? 'no integration has a valid mode'
      : listings.map((listing) => `${listing.name} ${listing.mode}`).join(', '),
    resolved.issues.filter(isIntegrationRule).map(findingOf),
    listings.map(
      (listing) =>
        `${listing.name.padEnd(width)}  ${listing.mode.padEnd(7)}  ${listing.host ?? (listing.mode === 'mock' ? '(in process)' : '(no base URL)')}`,
    ),
  );
}

function findingOf(issue: ConfigIssue): PreflightFinding {
  return {
    code: issue.code,
    message: issue.message,
    key: issue.key,
    ...(issue.file !== undefined ? { file: issue.file } : {}),
    ...(issue.line !== undefined ? { line: issue.line } : {}),
  };
}

function errorFinding(error: EnvwardError): PreflightFinding {
  const { key, file, line } = error.details;
  return {
    code: error.code,
    message: error.message,
    ...(typeof key === 'string' ? { key } : {}),
    ...(typeof file === 'string' ? { file } : {}),
    ...(typeof line === 'number' ? { line } : {}),
  };
}

function check(
  name: CheckName,
  summary: string,
  findings: readonly PreflightFinding[],
  notes: readonly string[] = [],
  status?: PreflightCheck['status'],
): PreflightCheck {
  return { name, summary, findings, notes, status: status ?? (findings.length > 0 ? 'fail' : 'pass') };
}

function failed(name: CheckName, summary: string, error: unknown): PreflightCheck {
  if (!(error instanceof EnvwardError)) throw error;
  return check(name, summary, [errorFinding(error)], [], error.kind === 'refused' ? 'refused' : 'fail');
}

const skipped = (name: CheckName, why: string): PreflightCheck => check(name, why, [], [], 'skipped');

/**
 * The deploy gate: is `environment` ready to run from here? Checks the host,
 * the configuration under the tier's rules, the secrets (present, opening
 * with the key when it is here, not shared with another environment), the
 * database (reachable, stamped for this environment, and for a protected
 * one the very database that was stamped, not a copy) and the migrations
 * (pending ones listed; destructive ones or changed files are findings).
 * Reads only: nothing is stamped, migrated or decrypted into output.
 * @example
 * const report = await runPreflight('production');
 * if (report.outcome !== 'clear') process.exitCode = report.outcome === 'refused' ? 3 : 1;
 */
export async function runPreflight(environmentName: string, options: PreflightOptions = {}): Promise<PreflightReport> {
  const project = options.project ?? (await openProject(options.cwd));
  const environment = project.environments.get(environmentName, 'preflight');
  const variables = options.variables ?? process.env;
  const hostname = options.hostname ?? osHostname();
  const givenVersion = options.version ?? (variables[VERSION_VARIABLE] || undefined);
  const version = givenVersion === undefined ? undefined : checkedVersion(givenVersion);
  const checks: PreflightCheck[] = [];

  try {
    const override = assertHostAllowed(environment, hostname, project.environments, options.force);
    checks.push(
      check(
        'host',
        `${hostname} may run ${environment.name}`,
        [],
        override ? [`host check overridden: ${override.reason}`] : [],
      ),
    );
  } catch (error) {
    checks.push(failed('host', `${hostname} may not run ${environment.name}`, error));
  }

  const base = { project, env: environment.name, variables, hostname, checkHost: false, collectIssues: true } as const;
  const secretFindings: PreflightFinding[] = [];
  const secretNotes: string[] = [];
  let resolved: ResolvedConfig<unknown> | undefined;
  let integrations: PreflightIntegration[] | undefined;
  try {
    try {
      resolved = await resolveConfig<unknown>(base);
    } catch (error) {
      // The values cannot be opened here: check the rest of the configuration without them.
      if (!(error instanceof EnvwardError) || !UNOPENED.has(error.code)) throw error;
      if (error instanceof SecretKeyMissingError) {
        const { variable, file } = error.details;
        secretNotes.push(`not decrypted: no private key here ($${String(variable)} or ${String(file)})`);
      } else {
        secretFindings.push(errorFinding(error));
      }
      resolved = await resolveConfig<unknown>({ ...base, layers: [UNOPENED_SECRETS] });
    }
  } catch (error) {
    checks.push(failed('config', 'the configuration does not resolve', error));
  }

  if (resolved) {
    const stored = new Set(await storedSecretNames(project.root, environment.name));
    const decrypted = secretNotes.length === 0 && secretFindings.length === 0;
    const configIssues = resolved.issues.filter((issue) => !isSecretRule(issue) && !isIntegrationRule(issue));
    checks.push(
      check(
        'config',
        `${resolved.keys.length} keys valid under ${environment.tier}'s rules`,
        configIssues.map(findingOf),
      ),
    );
    if (integrationsFragment(resolved)) {
      integrations = integrationModes(resolved).map(({ name, mode, host }) => ({ name, mode, host }));
      checks.push(integrationsCheck(resolved, integrations));
    }
    for (const issue of resolved.issues.filter(isSecretRule)) {
      // A secret stored but not opened here is present; its value is checked where the key is.
      if (!decrypted && issue.code === 'EW_RULE_SECRET_UNSET' && stored.has(issue.key)) continue;
      secretFindings.push(findingOf(issue));
    }
    // Found by name, so also where the values cannot be opened: the deploy's variable would win over the sealed value.
    for (const warning of shadowedSecretWarnings(environment, project.schema, stored, variables)) {
      secretFindings.push({
        code: warning.code,
        message: warning.message,
        ...(warning.key ? { key: warning.key } : {}),
      });
    }
    const scan = await scanProject(project, { variables, hostname });
    for (const finding of scan.findings) {
      if (!finding.environments?.includes(environment.name)) continue;
      secretFindings.push({
        code: finding.code,
        message: finding.message,
        ...(finding.keys?.[0] !== undefined ? { key: finding.keys[0] } : {}),
        ...(finding.file !== undefined ? { file: finding.file } : {}),
        ...(finding.line !== undefined ? { line: finding.line } : {}),
      });
    }
    checks.push(
      check(
        'secrets',
        `${stored.size} secret(s) stored${decrypted && stored.size > 0 ? ', all decrypted' : ''}`,
        secretFindings,
        secretNotes,
      ),
    );
    checks.push(...(await databaseChecks(resolved)));
    const promotion = await checkPromotion(resolved, version, { variables, hostname });
    if (promotion) {
      checks.push(check('promotion', promotion.summary, promotion.finding ? [errorFinding(promotion.finding)] : []));
    }
  } else {
    checks.push(check('secrets', 'not checked: the configuration does not resolve', secretFindings, secretNotes));
    checks.push(skipped('database', 'not checked: the configuration does not resolve'));
    checks.push(skipped('migrations', 'not checked: the configuration does not resolve'));
  }

  return {
    environment: environment.name,
    tier: environment.tier,
    ...(version !== undefined ? { version } : {}),
    checks,
    ...(integrations ? { integrations } : {}),
    outcome: outcomeOf(checks),
  };
}

async function databaseChecks(resolved: ResolvedConfig<unknown>): Promise<PreflightCheck[]> {
  const { environment } = resolved;
  let store: Awaited<ReturnType<typeof openStore>>;
  try {
    store = await openStore(resolved, { stampMode: 'inspect' });
  } catch (error) {
    return [
      failed('database', 'the database cannot be opened', error),
      skipped('migrations', 'not checked: no database'),
    ];
  }
  try {
    const { stamp } = store;
    const checks: PreflightCheck[] = [];
    if (store.sharingRefusal) {
      checks.push(
        check('database', `${store.where} is reachable`, [errorFinding(store.sharingRefusal)], [], 'refused'),
      );
      checks.push(skipped('migrations', `not checked: the database is not ${environment.name}'s to share`));
      return checks;
    }
    if (!stamp) {
      checks.push(
        check(
          'database',
          `${store.where} is reachable`,
          environment.protected ? [errorFinding(new DatabaseUnstampedError(environment.name, store.where))] : [],
          environment.protected ? [] : ['not stamped yet: stamped on first open'],
        ),
      );
    } else {
      const project = resolved.project.definition.project ?? '';
      const refusal = stampRefusal(stamp, { environment, project, identity: store.identity }, store.where);
      if (refusal) {
        checks.push(check('database', `${store.where} is reachable`, [errorFinding(refusal)], [], 'refused'));
        // Another owner's database: its migrations are none of this deploy's business.
        checks.push(skipped('migrations', `not checked: the database is not ${environment.name}'s`));
        return checks;
      }
      // Not refused, but the next open writes: say so, since preflight itself writes nothing.
      const notes =
        stamp.database === ''
          ? ['the stamp records no database identity yet: recorded on the next open']
          : sameDatabase(stamp.database, store.identity)
            ? []
            : [`copied or moved (stamped as ${stamp.database}): the next open records it anew, with a warning`];
      checks.push(check('database', `${store.where} is reachable and stamped for ${environment.name}`, [], notes));
    }
    checks.push(await migrationsCheck(store));
    return checks;
  } finally {
    await store.close();
  }
}

async function migrationsCheck(store: Awaited<ReturnType<typeof openStore>>): Promise<PreflightCheck> {
  try {
    const status = await migrationStatus(store);
    const findings: PreflightFinding[] = [
      ...status.changed.map((name) => ({
        code: 'EW_MIGRATION_CHECKSUM',
        message: `${name} changed since it was applied`,
      })),
      ...status.missing.map((name) => ({
        code: 'EW_MIGRATION_CHECKSUM',
        message: `${name} was applied but is missing from disk`,
      })),
    ];
    const notes: string[] = [];
    if (status.pending.length > 0) {
      for (const plan of await migrationPlan(store)) {
        const destructive = plan.statements.find((statement) => statement.destructive);
        notes.push(`pending: ${plan.name}${destructive ? ' (destructive)' : ''}`);
        if (destructive && store.environment.protected) {
          findings.push({
            code: 'EW_DESTRUCTIVE_MIGRATION',
            message: `${plan.name} is destructive (${destructive.why ?? 'unknown effect'}): ${destructive.sql}; \`migrate up\` needs --allow-destructive --reason`,
          });
        }
      }
    }
    return check('migrations', `${status.applied.length} applied, ${status.pending.length} pending`, findings, notes);
  } catch (error) {
    return failed('migrations', 'the migrations cannot be read', error);
  }
}
