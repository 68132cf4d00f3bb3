import type { ConfigLayer } from '../layer.js';
import { codeOverridesLayer } from './code-overrides.js';
import { dotenvFileLayer } from './dotenv-file.js';
import { explicitLayer } from './explicit.js';
import { processEnvLayer } from './process-env.js';
import { schemaDefaultsLayer } from './schema-defaults.js';
import { tierDefaultsLayer } from './tier-defaults.js';
import { yamlFileLayer } from './yaml-file.js';

/**
 * The layers config itself reads. Other capabilities' layers (secrets,
 * runtime revisions) come through `layers`: config knows none of their
 * modules, and the root entry's resolveConfig (src/resolution.ts) adds them.
 */
export const BUILT_IN_LAYERS: readonly ConfigLayer[] = Object.freeze([
  schemaDefaultsLayer,
  tierDefaultsLayer,
  yamlFileLayer('base-file', () => 'config/base.yml'),
  dotenvFileLayer('project-dotenv', () => '.env'),
  yamlFileLayer('environment-file', ({ environment }) => `config/environments/${environment.name}/settings.yml`),
  dotenvFileLayer('environment-dotenv', ({ environment }) => `config/environments/${environment.name}/.env`),
  codeOverridesLayer,
  processEnvLayer,
  explicitLayer,
]);

export { parseDotenvLayer } from './dotenv-file.js';
export { parseYamlLayer } from './yaml-file.js';
