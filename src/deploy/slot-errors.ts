import { EnvwardError } from '../errors.js';

/** At most this much of a name the user typed is repeated in a message. */
const ECHO_LIMIT = 40;

/** A name as it may be shown: JSON-quoted (control characters escaped) and cut short. */
export function shownName(name: unknown): string {
  const text = typeof name === 'string' ? name : String(name);
  return JSON.stringify(text.length > ECHO_LIMIT ? `${text.slice(0, ECHO_LIMIT)}…` : text);
}

/** A slot the environment does not declare, or any slot where the environment declares none. */
export class SlotUnknownError extends EnvwardError {
  constructor(slot: unknown, environment: { readonly name: string; readonly slots: readonly string[] }, where: string) {
    const declared = environment.slots;
    super(
      'EW_SLOT_UNKNOWN',
      'usage',
      declared.length === 0
        ? `${where}: environment ${environment.name} declares no slots, so slot ${shownName(slot)} means nothing there.`
        : `${where}: ${shownName(slot)} is not a slot of ${environment.name} (its slots: ${declared.join(', ')}).`,
      declared.length === 0
        ? `Declare slots in envward.config.ts (environments: { ${environment.name}: { slots: ['blue', 'green'] } }), or unset the slot.`
        : `Use one of ${declared.join(', ')}.`,
      { environment: environment.name, slots: [...declared] },
    );
  }
}

/** An instance of an environment with slots started without saying which slot it is. */
export class SlotRequiredError extends EnvwardError {
  constructor(environment: { readonly name: string; readonly slots: readonly string[] }) {
    super(
      'EW_SLOT_REQUIRED',
      'usage',
      `Environment ${environment.name} runs in slots (${environment.slots.join(', ')}), and this instance was not told its slot.`,
      `Start it with ENVWARD_SLOT=${environment.slots[0]} (or the plugin option \`slot\`); docs/slots.md.`,
      { environment: environment.name, slots: [...environment.slots] },
    );
  }
}

/** Why one instance of the target slot is not ready to take traffic. */
export interface InstanceProblem {
  readonly instance: string;
  readonly problem: string;
}

/** `deploy switch` refused: the target slot has no instance listed, or one of them is not ready, or preflight failed. */
export class SlotNotReadyError extends EnvwardError {
  constructor(environment: string, slot: string, problems: readonly InstanceProblem[]) {
    const text = problems.map((entry) => `${entry.instance}: ${entry.problem}`).join('; ');
    super(
      'EW_SLOT_NOT_READY',
      'refused',
      `Slot ${slot} of ${environment} is not ready to take traffic, so the active slot was not switched: ${text}.`,
      `Fix what is named and switch again; instances come from deploy.slots.${slot} in the settings or --instance URL. Nothing was written.`,
      { environment, slot, problems: problems.map((entry) => ({ ...entry })) },
    );
  }
}
