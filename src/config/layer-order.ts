/**
 * The precedence of configuration layers, lowest first: later layers win.
 * This list is the single source of truth; docs/configuration.md is checked
 * against it by a test. Layers without a provider (secrets and
 * runtime revisions until those capabilities register one) are skipped.
 */
export const LAYER_ORDER = [
  'schema-defaults',
  'tier-defaults',
  'base-file',
  'project-dotenv',
  'environment-file',
  'environment-dotenv',
  'code-overrides',
  'secrets',
  'process-env',
  'runtime-revisions',
  'explicit',
] as const;

export type LayerName = (typeof LAYER_ORDER)[number];

/** What each layer reads, for `--help`, docs and explain output. */
export const LAYER_DESCRIPTIONS: Readonly<Record<LayerName, string>> = Object.freeze({
  'schema-defaults': 'defaults declared in the schema',
  'tier-defaults': "defaults of the environment's tier for the capability settings in `use`",
  'base-file': 'config/base.yml',
  'project-dotenv': 'the project .env file',
  'environment-file': 'config/environments/<env>/settings.yml',
  'environment-dotenv': 'config/environments/<env>/.env',
  'code-overrides': 'per-environment overrides in envward.config.ts',
  secrets: "the environment's encrypted secrets",
  'process-env': 'process environment variables',
  'runtime-revisions': 'runtime revisions from the store',
  explicit: 'explicit parameters (--set key=value, API `set`)',
});
