import type { Counter, Registry } from 'prom-client';
import { importPeer } from '../peers.js';

/** Counts evaluations; `flag` is `(unknown)` for a flag that is not declared, so callers cannot add series. */
export interface FlagMetrics {
  record(flag: string, variant: string, reason: string): void;
}

export const FLAG_EVALUATIONS_METRIC = 'envward_flag_evaluations_total';

type Labels = 'flag' | 'variant' | 'reason';
type Child = { inc(): void };

/**
 * `envward_flag_evaluations_total{flag,variant,reason}` on `registry` (the
 * `flag.evaluated` metric), shared by every provider that uses the registry.
 * prom-client loads here, once. Each label set's child is kept, so counting
 * is three map lookups.
 */
export async function flagMetrics(registry: Registry): Promise<FlagMetrics> {
  const client = await importPeer('envward/flags', () => import('prom-client'));
  const counter =
    (registry.getSingleMetric(FLAG_EVALUATIONS_METRIC) as Counter<Labels> | undefined) ??
    new client.Counter({
      name: FLAG_EVALUATIONS_METRIC,
      help: 'Feature flag evaluations by flag, variant and reason (STATIC, DEFAULT, TARGETING_MATCH, SPLIT, ERROR).',
      labelNames: ['flag', 'variant', 'reason'],
      registers: [registry],
    });
  const children = new Map<string, Map<string, Map<string, Child>>>();
  return {
    record(flag, variant, reason) {
      let byVariant = children.get(flag);
      if (!byVariant) {
        byVariant = new Map();
        children.set(flag, byVariant);
      }
      let byReason = byVariant.get(variant);
      if (!byReason) {
        byReason = new Map();
        byVariant.set(variant, byReason);
      }
      let child = byReason.get(reason);
      if (!child) {
        child = counter.labels(flag, variant, reason);
        byReason.set(reason, child);
      }
      child.inc();
    },
  };
}
