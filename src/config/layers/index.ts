import { secretsLayer } from '../../secrets/secrets-layer.js';
import type { ConfigLayer } from '../layer.js';
import { codeOverridesLayer } from './code-overrides.js';
import { dotenvFileLayer } from './dotenv-file.js';
import { explicitLayer } from './explicit.js';
import { processEnvLayer } from './process-env.js';
import { schemaDefaultsLayer } from './schema-defaults.js';
import { tierDefaultsLayer } from './tier-defaults.js';
import { yamlFileLayer } from './yaml-file.js';

/** The layers every resolution reads; runtime revisions come from the store's capability through `layers`. */
export const BUILT_IN_LAYERS: readonly ConfigLayer[] = Object.freeze([
  schemaDefaultsLayer,
  tierDefaultsLayer,
  yamlFileLayer('base-file', () => 'config/base.yml'),
  dotenvFileLayer('project-dotenv', () => '.env'),
  yamlFileLayer('environment-file', ({ environment }) => `config/environments/${environment.name}/settings.yml`),
  dotenvFileLayer('environment-dotenv', ({ environment }) => `config/environments/${environment.name}/.env`),
  codeOverridesLayer,
  secretsLayer,
  processEnvLayer,
  explicitLayer,
]);

export { parseDotenvLayer } from './dotenv-file.js';
export { parseYamlLayer } from './yaml-file.js';
