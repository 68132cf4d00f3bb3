import { createScrubber, type Scrubber } from '../observe/index.js';
import type { PluginConfig } from './config-revision.js';

/**
 * The plugin's scrubber. Static configuration: the secret values of the
 * configuration, fixed. Live configuration: each new snapshot re-reads the
 * secret files, so a secret changed on disk since the start is scrubbed too,
 * and the old value stays scrubbed (it may still sit in a message). Per call
 * a snapshot comparison; the scrubber is rebuilt only when values were added.
 */
export function pluginScrubber(config: PluginConfig): Scrubber {
  const { initial, live } = config;
  let scrub = createScrubber(initial.secretValues());
  if (!live) return scrub;
  const values = new Set(initial.secretValues());
  let seen = initial;
  return (text) => {
    const current = live.current;
    if (current !== seen) {
      seen = current;
      const known = values.size;
      for (const value of current.secretValues()) values.add(value);
      if (values.size !== known) scrub = createScrubber([...values]);
    }
    return scrub(text);
  };
}
