import type { z } from 'zod';
import { SettingsNotUsedError } from '../errors.js';
import { fragmentsOf } from './compose.js';
import type { ResolvedConfig } from './resolve.js';
import { type SettingsFragment, tierDefaultsOf } from './settings-fragment.js';
import { setPath } from './value-path.js';

type Settled = Pick<ResolvedConfig<unknown>, 'values' | 'environment' | 'project'>;

interface Parseable {
  safeParse(input: unknown): { success: true; data: unknown } | { success: false; error: { issues: unknown[] } };
}

// Per fragment and tier: the settings of a project that does not use the fragment (its tier defaults alone).
const defaultsCache = new WeakMap<object, Map<string, unknown>>();

function defaultsOnly(fragment: SettingsFragment, resolved: Settled): unknown {
  const { tier, name } = resolved.environment;
  let byTier = defaultsCache.get(fragment);
  if (!byTier) {
    byTier = new Map();
    defaultsCache.set(fragment, byTier);
  }
  if (byTier.has(tier)) return byTier.get(tier);
  const input: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(tierDefaultsOf(fragment.tierDefaults, tier)))
    setPath(input, key.split('.'), value);
  const parsed = (fragment.schema as unknown as Parseable).safeParse(input);
  if (!parsed.success) {
    throw new SettingsNotUsedError(fragment.key, fragment.capability, name, 'its defaults leave required keys unset');
  }
  const values = Object.freeze(parsed.data);
  byTier.set(tier, values);
  return values;
}

/**
 * The validated settings of one capability: the project's resolved values
 * when it uses the fragment (validated with the rest, tier defaults applied),
 * else the fragment's tier defaults alone. Never a value resolution did not
 * validate, so a capability cannot refuse at start what `config validate` passed.
 */
export function settingsOf<F extends SettingsFragment>(resolved: Settled, fragment: F): z.output<F['schema']> {
  const used = fragmentsOf(resolved.project.definition.use).some((candidate) => candidate.key === fragment.key);
  if (used) return (resolved.values as Record<string, unknown>)[fragment.key] as z.output<F['schema']>;
  return defaultsOnly(fragment, resolved) as z.output<F['schema']>;
}
