import { isTerminal } from '../core/lifecycle.ts';
import type { SandboxManager } from '../manager/manager.ts';
import { ageSeconds, classifyRecord, lastTransitionAt, objectSandboxId } from './classify.ts';
import { foreignOf } from './foreign.ts';
import { inspectableExtensions, knownHandles, listExtension } from './listing.ts';
import { orphansOf } from './orphans.ts';
import { passRecords, recordsOfObjects } from './records.ts';
import { abandonedRecords, markCompletedRuns } from './runs.ts';
import {
  DEFAULT_BOUNDS,
  DEFAULT_MIN_ORPHAN_AGE_S,
  type FindStaleOptions,
  type StaleBounds,
  type StaleItem,
  type StaleReport,
} from './stale-report.ts';

// The stale inspection's parts, re-exported so importers of stale.ts keep one entry point.
export * from './stale-report.ts';
export * from './classify.ts';
export * from './listing.ts';
export { orphansOf } from './orphans.ts';

/**
 * Everything the reaper would act on, read-only: live records past their TTL, records stuck in a non-terminal
 * state past a bound, failed records whose cleanup is pending, `ready` records whose backend object is gone,
 * and backend objects with our ownership labels that no live record accounts for (orphans).
 * Records are read before listing, so an object created after the read cannot make its record look `gone`.
 */
export async function findStale(manager: SandboxManager, opts: FindStaleOptions = {}): Promise<StaleReport> {
  const memo = opts.memo ?? new Map();
  const nowDate = opts.now ?? new Date();
  const now = nowDate.getTime();
  const bounds: StaleBounds = { ...DEFAULT_BOUNDS, ...(opts.bounds ?? {}) };
  const minAge = opts.minOrphanAge_s ?? DEFAULT_MIN_ORPHAN_AGE_S;
  const scope = opts.scope === 'any' ? '*' : (opts.scope ?? manager.owner.scope);
  const report: StaleReport = {
    at: nowDate.toISOString(),
    scope,
    items: [],
    examined: { records: 0, live_records: 0, backend_objects: 0, listed: [], not_listable: [] },
    unreachable: [],
    not_configured: [],
    targets: [],
    foreign: [],
  };

  const all = await passRecords(manager.store);
  const records = new Map(all.map((r) => [r.id, r]));
  report.examined.records = all.length;
  report.examined.live_records = all.filter((r) => !isTerminal(r.state)).length;

  const byRecord = new Map<string, StaleItem>();
  for (const r of all) {
    if (opts.extensions && !opts.extensions.includes(r.extension_id)) continue;
    const c = classifyRecord(r, now, bounds);
    if (c) byRecord.set(r.id, { ...c, extension_id: r.extension_id });
  }
  if (opts.runs) {
    const open = all.filter(
      (r) => !byRecord.has(r.id) && (!opts.extensions || opts.extensions.includes(r.extension_id)),
    );
    for (const a of await abandonedRecords(open, opts.runs, opts.signal)) {
      const r = records.get(a.sandbox_id!)!;
      byRecord.set(r.id, {
        ...a,
        extension_id: r.extension_id,
        age_s: ageSeconds(now, lastTransitionAt(r)) ?? 0,
      });
    }
  }

  for (const { manifest, ext } of inspectableExtensions(manager, opts.extensions)) {
    if (!ext.list) {
      report.examined.not_listable.push(manifest.id);
      continue;
    }
    const listed = await listExtension(manager, manifest, ext, report, {
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.calls ? { calls: opts.calls } : {}),
      memo,
      known: knownHandles(all, manifest.id),
    });
    if (listed.reached > 0) report.examined.listed.push(manifest.id);
    report.examined.backend_objects += listed.objects.length;
    if (listed.complete) {
      const present = new Set(listed.objects.map(objectSandboxId).filter((s) => s !== undefined));
      for (const r of all) {
        if (r.extension_id !== manifest.id || r.state !== 'ready' || byRecord.has(r.id)) continue;
        if (Object.keys(r.handle).length === 0 || present.has(r.id)) continue;
        const age = ageSeconds(now, r.ready_at ?? r.created_at) ?? 0;
        if (age < minAge) continue;
        byRecord.set(r.id, {
          kind: 'gone',
          extension_id: r.extension_id,
          sandbox_id: r.id,
          state: r.state,
          revision: r.revision,
          age_s: age,
          reason: `backend object is gone from ${manifest.id}`,
        });
      }
    }
    report.examined.records += await recordsOfObjects(manager.store, listed.objects, records);
    report.items.push(...orphansOf(listed, records, now, scope, opts.unloaded));
    report.foreign.push(...foreignOf(listed, scope, now));
  }
  await markCompletedRuns(report.items, opts.runs, minAge, opts.signal);
  report.items.unshift(...byRecord.values());
  return report;
}
