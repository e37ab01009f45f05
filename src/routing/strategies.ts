import type { ExtensionManifest, RouteStrategy } from '../catalog/schema.ts';
import { toMicros } from '../core/money.ts';

/** What a strategy may compare: an eligible candidate with its declared position, kind, estimate and latency. */
export interface Rankable {
  extension_id: string;
  declared: number;
  kind: ExtensionManifest['kind'];
  estimate_usd?: string | undefined;
  latency_s?: number | undefined;
}

type Compare = (a: Rankable, b: Rankable) => number;

const byDeclared: Compare = (a, b) => a.declared - b.declared;
const cost = (r: Rankable) =>
  r.estimate_usd === undefined ? Number.MAX_SAFE_INTEGER : Number(toMicros(r.estimate_usd));

const latency = (r: Rankable) => r.latency_s ?? Number.MAX_SAFE_INTEGER;

/** Each strategy orders eligible candidates; ties keep the profile's declared order. */
const COMPARE: Record<RouteStrategy, Compare> = {
  explicit: byDeclared,
  'prefer-self-hosted': (a, b) =>
    Number(b.kind === 'self-hosted') - Number(a.kind === 'self-hosted') || byDeclared(a, b),
  'lowest-cost': (a, b) => cost(a) - cost(b) || byDeclared(a, b),
  'lowest-latency': (a, b) => latency(a) - latency(b) || byDeclared(a, b),
};

export function rank<T extends Rankable>(strategy: RouteStrategy, candidates: T[]): T[] {
  return [...candidates].sort(COMPARE[strategy]);
}

/** Why a candidate holds its place, in words for `route explain` and the recorded route. */
export function rankReason(strategy: RouteStrategy, c: Rankable, position: number): string {
  const place = position === 1 ? 'first' : `#${position}`;
  switch (strategy) {
    case 'explicit':
      return `${place} in the profile's declared order`;
    case 'prefer-self-hosted':
      return `${place}: ${c.kind}${c.kind === 'self-hosted' ? ' (preferred)' : ''}, then declared order`;
    case 'lowest-cost':
      return `${place} by estimated cost ($${c.estimate_usd ?? '?'})`;
    case 'lowest-latency':
      return `${place} by time-to-ready (${c.latency_s ?? '?'}s)`;
  }
}
