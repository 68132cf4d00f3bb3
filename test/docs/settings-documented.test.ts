/**
 * docs/settings.md lists every key of every capability fragment with its
 * tier defaults and reload mode; this rebuilds each row from the fragments
 * and compares, so the page cannot drift from the code.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { indexSchema } from '../../src/config/schema-index.ts';
import { consoleSettings } from '../../src/console/index.ts';
import { defineAnonymisation } from '../../src/data/index.ts';
import { flags } from '../../src/flags/index.ts';
import { alerts, auth, database, http, integrations, log, outbound, type SettingsFragment } from '../../src/index.ts';
import { defineJobs } from '../../src/jobs/index.ts';
import { deploy } from '../../src/runtime/index.ts';

const TIERS = ['development', 'test', 'staging', 'production'] as const;

function rows(fragment: SettingsFragment): string[] {
  const schema = { _zod: { def: { type: 'object', shape: { [fragment.key]: fragment.schema } } } };
  return [...indexSchema(schema).leaves.values()].map((leaf) => {
    const below = leaf.key.slice(fragment.key.length + 1);
    const cells = TIERS.map((tier) => {
      const value = (fragment.tierDefaults[tier] as Record<string, unknown>)[below];
      if (value !== undefined) return `\`${JSON.stringify(value)}\``;
      return leaf.hasDefault ? `\`${JSON.stringify(leaf.defaultValue)}\`` : '—';
    });
    return `| \`${leaf.key}\` | ${leaf.kind} | ${cells.join(' | ')} | ${leaf.reload} |`;
  });
}

test('docs/settings.md has one row per capability setting, matching its type, tier defaults and reload mode', () => {
  const text = readFileSync(new URL('../../docs/settings.md', import.meta.url), 'utf8');
  const documented = text.split('\n').filter((line) => /^\| `[a-z]/.test(line));
  const jobs = defineJobs({ interestAccrual: { schedule: '0 2 * * *', tiers: ['staging', 'production'] } });
  const expected = [
    http,
    log,
    alerts,
    database,
    outbound('payments'),
    integrations({ payments: {} }),
    auth,
    flags({ newFeeRule: { type: 'boolean', default: false } }),
    jobs,
    deploy,
    defineAnonymisation({}),
    consoleSettings,
  ].flatMap(rows);
  assert.deepEqual(documented, expected);
});
