import { LABEL } from '../core/labels.ts';
import { isTerminal } from '../core/lifecycle.ts';
import type { SandboxRecord } from '../core/record.ts';
import type { BackendObject } from '../extensions/contract.ts';
import { createProcessGone } from './process-gone.ts';
import type { StaleBounds, StaleItem } from './stale-report.ts';

const DEFAULT_READY_TIMEOUT_S = 600;

export const ageSeconds = (now: number, iso: string | undefined): number | undefined =>
  iso === undefined || Number.isNaN(Date.parse(iso))
    ? undefined
    : Math.max(0, Math.floor((now - Date.parse(iso)) / 1000));

export const lastTransitionAt = (r: SandboxRecord): string => r.history.at(-1)?.at ?? r.created_at;

/** The non-terminal bound for a record's current state, in seconds. */
export function stuckBound(r: SandboxRecord, bounds: StaleBounds): number | undefined {
  if (bounds.stuck_after_s !== undefined && !isTerminal(r.state)) return bounds.stuck_after_s;
  switch (r.state) {
    case 'requested':
      return bounds.requested_s;
    case 'provisioning':
      return Number(r.config.ready_timeout_s ?? DEFAULT_READY_TIMEOUT_S) + bounds.provisioning_margin_s;
    case 'destroying':
      return bounds.destroying_s;
    default:
      return undefined;
  }
}

/** Classify one record by itself (without backend facts). */
export function classifyRecord(
  r: SandboxRecord,
  now: number,
  bounds: StaleBounds,
): Omit<StaleItem, 'extension_id'> | undefined {
  const base = { sandbox_id: r.id, state: r.state, revision: r.revision };
  if (r.state === 'failed' && r.cleanup_pending) {
    return {
      ...base,
      kind: 'cleanup',
      age_s: ageSeconds(now, lastTransitionAt(r)) ?? 0,
      reason: 'failed with backend cleanup pending',
    };
  }
  if (isTerminal(r.state)) return undefined;
  if (r.expires_at && Date.parse(r.expires_at) <= now) {
    return {
      ...base,
      kind: 'expired',
      age_s: ageSeconds(now, r.expires_at) ?? 0,
      reason: `TTL lapsed at ${r.expires_at}`,
    };
  }
  const since = ageSeconds(now, lastTransitionAt(r)) ?? 0;
  const gone = createProcessGone(r, since);
  if (gone) return { ...base, ...gone };
  const bound = stuckBound(r, bounds);
  if (bound !== undefined && r.state !== 'ready' && since >= bound) {
    return { ...base, kind: 'stuck', age_s: since, reason: `${r.state} for ${since}s (bound ${bound}s)` };
  }
  return undefined;
}

export const objectSandboxId = (o: BackendObject): string | undefined =>
  o.sandbox_id ?? o.labels[LABEL.sandboxId];

/**
 * How old an orphan is at least: its creation time when the backend reports one (or our `created-at` label);
 * else how long ago its record stopped owning it (the record's last transition: no creator is still at work);
 * else how long ago its `expires-at` label lapsed (it was made before its expiry). Unknown only when none is.
 */
export function objectAge(o: BackendObject, r: SandboxRecord | undefined, now: number): number | undefined {
  const lapsed = o.labels[LABEL.expiresAt];
  return (
    ageSeconds(now, o.created_at ?? o.labels[LABEL.createdAt]) ??
    (r ? ageSeconds(now, lastTransitionAt(r)) : undefined) ??
    (lapsed && Date.parse(lapsed) <= now ? ageSeconds(now, lapsed) : undefined)
  );
}

/** An orphan is only touched once it is older than the minimum age (unknown age counts as too young), unless
 *  the run that made it has completed. */
export const orphanOldEnough = (item: StaleItem, minAge_s: number): boolean =>
  minAge_s <= 0 || item.run_completed === true || (item.age_s !== undefined && item.age_s >= minAge_s);
