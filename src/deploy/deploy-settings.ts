import { z } from 'zod';
import { defineSettings, type FragmentFinding } from '../config/settings-fragment.js';
import type { Environment } from '../environment/environment.js';

const NO_DEFAULTS = Object.freeze({ development: {}, test: {}, staging: {}, production: {} });

const SLOT_NAME = /^[a-z][a-z0-9-]{0,19}$/;

const environmentName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'an environment name');

/** `deploy.slots` names only slots the environment declares (envward.config.ts `slots`). */
function slotRules(settings: unknown, environment: Environment): readonly FragmentFinding[] {
  const slots = (settings as { slots?: Record<string, unknown> } | undefined)?.slots ?? {};
  return Object.keys(slots)
    .filter((slot) => !environment.slots.includes(slot))
    .map((slot) => ({
      code: 'EW_RULE_SLOT_UNDECLARED' as const,
      key: `slots.${slot}`,
      message:
        environment.slots.length === 0
          ? `${environment.name} declares no slots; remove deploy.slots.${slot} or declare slots in envward.config.ts`
          : `${slot} is not a slot of ${environment.name} (its slots: ${environment.slots.join(', ')})`,
    }));
}

/**
 * How code and data move between environments (`deploy.*`), owned by envward/runtime.
 * @example defineConfig({ use: [deploy], schema }) // settings.yml: deploy: { promotionOrder: [staging, production] }
 */
export const deploy = defineSettings({
  key: 'deploy',
  capability: 'envward/runtime',
  tierDefaults: NO_DEFAULTS,
  rules: slotRules,
  schema: () =>
    z.object({
      /**
       * Environments a version must pass through, in order: preflight of an
       * environment in the list refuses a version the one before it has not
       * run successfully (`[staging, production]`).
       */
      promotionOrder: z.array(environmentName).default([]),
      /**
       * The instances of each blue-green slot, by their base URL
       * (`{ blue: ['http://10.0.0.1:3000'], green: ['http://10.0.0.2:3000'] }`):
       * `deploy switch` checks the target slot's readiness there first.
       */
      slots: z
        .record(z.string().regex(SLOT_NAME, 'a slot name: a-z, 0-9 and -'), z.array(z.url()).default([]))
        .default({}),
    }),
});
