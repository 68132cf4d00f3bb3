/**
 * A standard test project (test/support/temp-project.ts) that declares
 * flags: a boolean that needs a reason in production, a forbidden one, a
 * string flag with variants, a number and a json flag. `settings` adds
 * per-environment settings.yml text after the standard lines.
 */
import type { ResolvedConfig } from '../../src/config/index.ts';
import { resolveConfig } from '../../src/resolution.ts';
import { makeTempProject, secretVariables, standardProjectFiles, type TempProject } from '../support/temp-project.ts';

export const FLAG_DECLARATIONS = `{
  newFeeRule: { type: 'boolean', default: false, production: 'requires-reason', description: 'the 0.1% fee preview' },
  debugPanel: { type: 'boolean', default: false, production: 'forbidden' },
  checkout: { type: 'string', default: 'classic', variants: ['classic', 'express', 'one-click'] },
  retryBudget: { type: 'number', default: 3 },
  banner: { type: 'json', default: { text: 'welcome', colour: 'green' } },
}`;

export function flagsProject(
  settings: Readonly<Record<string, string>> = {},
  declarations = FLAG_DECLARATIONS,
): TempProject {
  const files = standardProjectFiles({
    prelude: `import { flags } from 'envward/flags';\nconst featureFlags = flags(${declarations});`,
    use: 'featureFlags',
  });
  for (const [env, text] of Object.entries(settings)) {
    const path = `config/environments/${env}/settings.yml`;
    files[path] = `${String(files[path] ?? '')}${text}`;
  }
  return makeTempProject(files);
}

/** Resolves `env` of the project with its standard secret, issues collected. */
export function resolveFlags(dir: string, env: string, collectIssues = false): Promise<ResolvedConfig<unknown>> {
  return resolveConfig<unknown>({ cwd: dir, env, checkHost: false, variables: secretVariables(env), collectIssues });
}
