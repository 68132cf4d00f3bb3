/**
 * envward's OpenFeature provider. This module imports the SDK's types only:
 * making a provider loads no peer, so `OpenFeature.setProvider(envwardFlags(config))`
 * stays synchronous and importing envward/flags stays free. The SDK's string
 * enums (events, error codes, reasons) are written as their values.
 */
import type {
  ErrorCode,
  EvaluationContext,
  JsonValue,
  Provider,
  ProviderMetadata,
  ResolutionDetails,
  ServerProviderEvents,
} from '@openfeature/server-sdk';
import type { Registry } from 'prom-client';
import type { ResolvedConfig } from '../config/resolve.js';
import { UsageError } from '../errors.js';
import type { ConfigChange, LiveConfig } from '../runtime/live-config-types.js';
import { evaluateFlag, type RequestedType } from './flag-evaluation.js';
import { type FlagMetrics, flagMetrics } from './flag-metrics.js';
import { FlagProviderEvents } from './flag-provider-events.js';
import { buildFlagTable, declaredFlags, type FlagTable } from './flag-table.js';

/** Where flags are read: a resolved configuration (fixed), or a live one (follows runtime revisions). */
export type FlagSource = ResolvedConfig<unknown> | LiveConfig<unknown>;

export interface EnvwardFlagsOptions {
  /**
   * A prom-client registry for `envward_flag_evaluations_total{flag,variant,reason}`
   * (the `flag.evaluated` metric). prom-client loads in the provider's
   * `initialize`, so set the provider with `OpenFeature.setProviderAndWait`.
   */
  readonly registry?: Registry;
}

const CONFIGURATION_CHANGED = 'PROVIDER_CONFIGURATION_CHANGED' as ServerProviderEvents.ConfigurationChanged;
const UNKNOWN_FLAG = '(unknown)';

function isLive(source: unknown): source is LiveConfig<unknown> {
  return (
    typeof source === 'object' &&
    source !== null &&
    typeof (source as LiveConfig<unknown>).subscribe === 'function' &&
    'current' in source
  );
}

function isResolved(source: unknown): source is ResolvedConfig<unknown> {
  return (
    typeof source === 'object' &&
    source !== null &&
    typeof (source as ResolvedConfig<unknown>).explain === 'function' &&
    typeof (source as ResolvedConfig<unknown>).environment === 'object' &&
    typeof (source as ResolvedConfig<unknown>).project === 'object'
  );
}

/** The flag names of `flags.<name>.<field>` keys a revision changed. */
function changedFlags(change: ConfigChange<unknown>): string[] {
  return [...new Set(change.changes.map((entry) => entry.key.split('.')[1] as string))];
}

export class EnvwardFlagsProvider implements Provider {
  readonly metadata: ProviderMetadata = Object.freeze({ name: 'envward' });
  readonly runsOn = 'server' as const;
  readonly events = new FlagProviderEvents();
  /** Present only with a `registry`: loads prom-client before the SDK marks the provider ready. */
  readonly initialize?: () => Promise<void>;
  readonly #source: FlagSource;
  readonly #unsubscribe: (() => void) | undefined;
  #snapshot: ResolvedConfig<unknown> | undefined;
  #table: FlagTable | undefined;
  #metrics: FlagMetrics | undefined;

  constructor(source: FlagSource, options: EnvwardFlagsOptions = {}) {
    if (!isLive(source) && !isResolved(source)) {
      throw new UsageError(
        'envwardFlags() takes a resolved configuration (resolveConfig) or a live one (openLiveConfig from envward/runtime).',
        'Call envwardFlags(runtime.live ?? resolved), see docs/flags.md.',
      );
    }
    this.#source = source;
    const { registry } = options;
    if (registry) {
      this.initialize = async () => {
        this.#metrics ??= await flagMetrics(registry);
      };
    }
    if (isLive(source) && (declaredFlags(source.current.project)?.length ?? 0) > 0) {
      this.#unsubscribe = source.subscribe(['flags'], (change) => {
        this.events.emit(CONFIGURATION_CHANGED, {
          flagsChanged: changedFlags(change),
          metadata: { revision: change.revision },
        });
      });
    }
  }

  /** The table of the snapshot now current, rebuilt only when a revision swapped the snapshot. */
  #current(): FlagTable {
    const snapshot = isLive(this.#source) ? this.#source.current : this.#source;
    if (snapshot !== this.#snapshot || !this.#table) {
      this.#table = buildFlagTable(snapshot);
      this.#snapshot = snapshot;
    }
    return this.#table;
  }

  #resolve<T>(name: string, requested: RequestedType, fallback: T, context: EvaluationContext): ResolutionDetails<T> {
    const result = evaluateFlag(this.#current(), String(name), requested, context ?? {});
    if ('errorCode' in result) {
      this.#metrics?.record(result.errorCode === 'FLAG_NOT_FOUND' ? UNKNOWN_FLAG : name, '', 'ERROR');
      return {
        value: fallback,
        reason: 'ERROR',
        errorCode: result.errorCode as ErrorCode,
        errorMessage: result.errorMessage,
      };
    }
    this.#metrics?.record(name, result.variant, result.reason);
    // The snapshot's outcome itself: frozen, shared by every evaluation that reaches it.
    return result as ResolutionDetails<T>;
  }

  async resolveBooleanEvaluation(name: string, fallback: boolean, context: EvaluationContext) {
    return this.#resolve(name, 'boolean', fallback, context);
  }

  async resolveStringEvaluation(name: string, fallback: string, context: EvaluationContext) {
    return this.#resolve(name, 'string', fallback, context);
  }

  async resolveNumberEvaluation(name: string, fallback: number, context: EvaluationContext) {
    return this.#resolve(name, 'number', fallback, context);
  }

  async resolveObjectEvaluation<T extends JsonValue>(name: string, fallback: T, context: EvaluationContext) {
    return this.#resolve(name, 'object', fallback, context);
  }

  /** Stops following the live configuration (the SDK calls it when the provider is replaced or closed). */
  async onClose(): Promise<void> {
    this.#unsubscribe?.();
  }
}
