import type { ExtensionManifest, Profile } from '../catalog/schema.ts';
import { SandboxerError, toSandboxerError } from '../core/errors.ts';
import { LABEL } from '../core/labels.ts';
import { silentLogger, type Logger } from '../core/logger.ts';
import { isTerminal } from '../core/lifecycle.ts';
import { replayOutbox } from '../export/outbox.ts';
import type { SandboxState } from '../core/record.ts';
import type { CredentialMemo } from '../credentials/resolver.ts';
import type { SandboxManager } from '../manager/manager.ts';
import {
  findStale,
  inspectableExtensions,
  knownHandles,
  listExtension,
  listTargets,
  newCallCounter,
  boundedSignal,
  orphanOldEnough,
  orphansOf,
  DEFAULT_MIN_ORPHAN_AGE_S,
  type CallCounter,
  type FindStaleOptions,
  type StaleItem,
  type StaleReport,
} from './stale.ts';
import { passRecords, recordsOfObjects } from './records.ts';
import { markCompletedRuns } from './runs.ts';

/** The state-store collection holding one entry per reap action (an audit trail across runs). */
export const REAP_LOG = 'reaper';
export const REAPER = 'reaper';

export interface ReapAction extends Omit<StaleItem, 'object' | 'target'> {
  outcome: 'planned' | 'done' | 'skipped' | 'error';
  at: string;
  final_state?: SandboxState;
  note?: string;
  error?: string;
}

export interface ReapOptions extends FindStaleOptions {
  /** Act; without it the report only says what would be done. */
  apply?: boolean;
  /** After an applied reap, the fin-hub outbox is replayed (best effort) with this; `false` skips it.
   *  Default: `replayOutbox(manager.store, env)` from src/export. */
  replayOutbox?: false | (() => Promise<unknown>);
  /** Environment for the default outbox replay (fin-hub URL and token). Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Called after every action (e.g. to post a State Hub event); failures are ignored. */
  onAction?: (action: ReapAction) => void | Promise<void>;
  log?: Logger;
}

export interface ReapReport {
  apply: boolean;
  at: string;
  scope: string;
  min_orphan_age_s: number;
  actions: ReapAction[];
  examined: StaleReport['examined'];
  unreachable: StaleReport['unreachable'];
  not_configured: StaleReport['not_configured'];
  calls: CallCounter;
  outbox?: { ok: boolean; result?: unknown; error?: string };
  summary: { planned: number; done: number; skipped: number; error: number };
}

const strip = (item: StaleItem): Omit<StaleItem, 'object' | 'target'> => {
  const { object: _o, target: _t, ...rest } = item;
  void _o;
  void _t;
  return rest;
};

/**
 * Reconcile the state store with the backends, both ways. Dry run by default. With `apply`:
 * 1. every stale record (expired, stuck, cleanup pending, backend object gone) is torn down through
 *    `manager.destroy` — the same path as `sandboxer destroy`, so history, meters, hooks and events follow — with
 *    `teardown_requested_by: 'reaper'`; a record that changed since inspection is left alone;
 * 2. the extensions touched in step 1 are listed again, and every orphan (an object with our labels that no live
 *    record owns) older than the minimum age is torn down with the extension's idempotent `teardownObject`;
 * 3. every action is appended to the `reaper` collection of the state store and passed to `onAction`;
 * 4. the fin-hub outbox is replayed (best effort) when `replayOutbox` is given.
 */
export async function reapStale(manager: SandboxManager, opts: ReapOptions = {}): Promise<ReapReport> {
  const calls = opts.calls ?? newCallCounter();
  const minAge = opts.minOrphanAge_s ?? DEFAULT_MIN_ORPHAN_AGE_S;
  const log = opts.log ?? silentLogger;
  const memo: CredentialMemo = opts.memo ?? new Map();
  const stale = await findStale(manager, { ...opts, calls, minOrphanAge_s: minAge, memo });
  const report: ReapReport = {
    apply: Boolean(opts.apply),
    at: stale.at,
    scope: stale.scope,
    min_orphan_age_s: minAge,
    actions: [],
    examined: stale.examined,
    unreachable: stale.unreachable,
    not_configured: stale.not_configured,
    calls,
    summary: { planned: 0, done: 0, skipped: 0, error: 0 },
  };
  const stamp = () => (opts.now ? opts.now.toISOString() : new Date().toISOString());
  const record = async (action: ReapAction) => {
    report.actions.push(action);
    report.summary[action.outcome] += 1;
    if (!opts.apply) return;
    // Unique per run even when two reapers start in the same millisecond.
    const key = `${report.at}-${process.pid}-${String(report.actions.length).padStart(5, '0')}`;
    await manager.store.appendOnce(REAP_LOG, key, action).catch((err: unknown) => {
      log.warn(`reaper log: ${toSandboxerError(err).message}`);
    });
    await manager.announceReaped(action);
    try {
      await opts.onAction?.(action);
    } catch {
      // best effort by contract
    }
  };

  const recordItems = stale.items.filter((i) => i.kind !== 'orphaned');
  let orphans = stale.items.filter((i) => i.kind === 'orphaned');

  if (!opts.apply) {
    for (const item of [...recordItems, ...orphans]) {
      const young = item.kind === 'orphaned' && !orphanOldEnough(item, minAge);
      await record({
        ...strip(item),
        outcome: young ? 'skipped' : 'planned',
        at: stamp(),
        ...(young ? { note: `younger than the minimum orphan age (${minAge}s)` } : {}),
      });
    }
    return report;
  }

  const touched = new Set<string>();
  for (const item of recordItems) {
    if (opts.signal?.aborted) {
      await record({ ...strip(item), outcome: 'skipped', at: stamp(), note: 'cancelled' });
      continue;
    }
    await record(await reapRecord(manager, item, calls, opts.signal, stamp));
    touched.add(item.extension_id);
  }

  // Step 1 may have turned objects into orphans (a record closed without a handle) or removed them: list again.
  if (touched.size) {
    const fresh = new Map((await passRecords(manager.store)).map((r) => [r.id, r]));
    const now = (opts.now ?? new Date()).getTime();
    orphans = orphans.filter((o) => !touched.has(o.extension_id));
    const relisted: StaleItem[] = [];
    for (const { manifest, ext } of inspectableExtensions(manager, [...touched])) {
      if (!ext.list) continue;
      const listed = await listExtension(manager, manifest, ext, stale, {
        ...(opts.signal ? { signal: opts.signal } : {}),
        calls,
        memo,
        known: knownHandles(fresh.values(), manifest.id),
      });
      await recordsOfObjects(manager.store, listed.objects, fresh);
      relisted.push(...orphansOf(listed, fresh, now, stale.scope, opts.unloaded));
    }
    await markCompletedRuns(relisted, opts.runs, minAge, opts.signal);
    orphans.push(...relisted);
  }

  for (const item of orphans) {
    if (!orphanOldEnough(item, minAge)) {
      await record({
        ...strip(item),
        outcome: 'skipped',
        at: stamp(),
        note: `younger than the minimum orphan age (${minAge}s)`,
      });
      continue;
    }
    if (opts.signal?.aborted) {
      await record({ ...strip(item), outcome: 'skipped', at: stamp(), note: 'cancelled' });
      continue;
    }
    await record(await reapOrphan(manager, item, stale, { calls, log, signal: opts.signal, memo }, stamp));
  }

  if (opts.replayOutbox !== false) {
    const replay =
      opts.replayOutbox ??
      (() =>
        replayOutbox(manager.store, opts.env ?? process.env, {
          log,
          ...(opts.signal ? { signal: opts.signal } : {}),
        }));
    try {
      report.outbox = { ok: true, result: await replay() };
    } catch (err) {
      report.outbox = { ok: false, error: toSandboxerError(err).message };
    }
  }
  return report;
}

async function reapRecord(
  manager: SandboxManager,
  item: StaleItem,
  calls: CallCounter,
  signal: AbortSignal | undefined,
  stamp: () => string,
): Promise<ReapAction> {
  const base = strip(item);
  const current = await manager.store.getSandbox(item.sandbox_id!);
  if (!current) return { ...base, outcome: 'skipped', at: stamp(), note: 'record vanished' };
  if (current.revision !== item.revision) {
    return {
      ...base,
      outcome: 'skipped',
      at: stamp(),
      note: `record changed since inspection (now ${current.state}); run again to re-check`,
    };
  }
  try {
    calls.destroy += 1;
    const final = await manager.destroy(current.id, {
      reason: item.kind === 'expired' ? 'ttl' : 'reap',
      detail: item.reason,
      requestedBy: REAPER,
      ...(signal ? { signal } : {}),
    });
    return { ...base, outcome: 'done', at: stamp(), final_state: final.state };
  } catch (err) {
    return { ...base, outcome: 'error', at: stamp(), error: toSandboxerError(err).message };
  }
}

async function reapOrphan(
  manager: SandboxManager,
  item: StaleItem,
  stale: StaleReport,
  {
    calls,
    log,
    signal,
    memo,
  }: { calls: CallCounter; log: Logger; signal: AbortSignal | undefined; memo: CredentialMemo },
  stamp: () => string,
): Promise<ReapAction> {
  const base = strip(item);
  const object = item.object!;
  // A record may have appeared (or come back to life) since the listing: then it is not ours to touch.
  const existing = item.sandbox_id ? await manager.store.getSandbox(item.sandbox_id) : undefined;
  if (
    existing &&
    existing.extension_id === item.extension_id &&
    (!isTerminal(existing.state) || existing.cleanup_pending)
  ) {
    return { ...base, outcome: 'skipped', at: stamp(), note: `record ${existing.id} is ${existing.state}` };
  }
  try {
    const { ext, manifest } = manager.gateway.extensionFor({ extension_id: item.extension_id });
    const target = item.target === undefined ? undefined : stale.targets[item.target];
    const profile = profileFor(manager, manifest, object.labels[LABEL.profile], target?.profile_id);
    const ctx = await manager.gateway.contextFor(manifest, {
      ...(profile ? { profile } : {}),
      signal: boundedSignal(signal),
      memo,
    });
    if (!ext.teardownObject) {
      throw new SandboxerError(
        'unsupported',
        `${manifest.id} lists objects but cannot tear one down by itself`,
        {
          hint: `implement teardownObject in the ${manifest.id} adapter (the list capability needs it)`,
        },
      );
    }
    const teardownObject = ext.teardownObject.bind(ext);
    calls.teardown += 1;
    await log.group(`reap orphan ${object.backend_id} on ${manifest.id}`, () => teardownObject(ctx, object));
    return { ...base, outcome: 'done', at: stamp(), note: 'orphan torn down' };
  } catch (err) {
    return { ...base, outcome: 'error', at: stamp(), error: toSandboxerError(err).message };
  }
}

/** The profile whose context reaches an orphan: the one named in its labels, else the one that listed it. */
function profileFor(
  manager: SandboxManager,
  manifest: ExtensionManifest,
  labelled: string | undefined,
  listedBy: string | undefined,
): Profile | undefined {
  const targets = listTargets(manager, manifest);
  const fromLabel = targets.find((t) => t.profile?.id === labelled)?.profile;
  if (fromLabel && fromLabel.id === listedBy) return fromLabel;
  return targets.find((t) => t.profile?.id === listedBy)?.profile ?? fromLabel;
}
