import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { evaluateCommonJs } from './code-cache.js';

/*
 * yaml and dotenv's parser are bundled at build time, each into one
 * CommonJS file under build/, so that V8's code cache applies to them (Node
 * 20 has none for ES modules) and each is loaded only when first needed: a
 * start whose YAML comes from the parse cache never loads yaml at all.
 * zod is not bundled: it is a peer, so the schema the user builds and the
 * one envward parses with come from one zod instance.
 */

export type BundledYaml = typeof import('./yaml-entry.js');
export type BundledDotenv = typeof import('./dotenv-entry.js');

// The build defines where build/ sits relative to dist/; from src/ (tests) it is two levels up.
declare const ENVWARD_BUNDLED_DIR: string | undefined;
const BUNDLED_DIR = new URL(
  typeof ENVWARD_BUNDLED_DIR === 'string' ? ENVWARD_BUNDLED_DIR : '../../build/',
  import.meta.url,
);

const loaded = new Map<string, unknown>();

function load<T>(name: string): T {
  let module = loaded.get(name) as T | undefined;
  if (!module) {
    const file = fileURLToPath(new URL(`${name}.cjs`, BUNDLED_DIR));
    module = evaluateCommonJs(readFileSync(file, 'utf8'), file, createRequire(file)) as T;
    loaded.set(name, module);
  }
  return module;
}

export function bundledYaml(): BundledYaml {
  return load<BundledYaml>('yaml');
}

export function bundledDotenv(): BundledDotenv {
  return load<BundledDotenv>('dotenv');
}
