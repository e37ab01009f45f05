import { profileCandidates, type ExtensionManifest, type Profile } from '../catalog/schema.ts';
import { deadline } from '../core/deadline.ts';
import { toSandboxerError } from '../core/errors.ts';
import { LABEL } from '../core/labels.ts';
import { isTerminal } from '../core/lifecycle.ts';
import type { Handle, SandboxRecord, SandboxState } from '../core/record.ts';
import type { BackendObject, Extension, ExtensionContext } from '../extensions/contract.ts';
import type { CredentialMemo } from '../credentials/resolver.ts';
import type { SandboxManager } from '../manager/manager.ts';
import { abandonedRecords, markCompletedRuns, type RunOracle } from './runs.ts';
import { foreignOf } from './foreign.ts';

/** How long a record may sit in a non-terminal state before the reaper treats its creator as gone. */
export interface StaleBounds {
  requested_s: number;
  /** Added to the record's ready timeout (config.ready_timeout_s, else 600 s). */
  provisioning_margin_s: number;
  destroying_s: number;
  /** Overrides all three bounds at once (the CLI's --stuck-after); 0 means "any age". */
  stuck_after_s?: number;
}

export const DEFAULT_BOUNDS: StaleBounds = {
  requested_s: 900,
  provisioning_margin_s: 900,
  destroying_s: 900,
};
const DEFAULT_READY_TIMEOUT_S = 600;

export type StaleKind = 'expired' | 'stuck' | 'abandoned' | 'cleanup' | 'gone' | 'orphaned' | 'foreign';

/** A record or a backend object the reaper would act on, and why. */
export interface StaleItem {
  kind: StaleKind;
  extension_id: string;
  sandbox_id?: string;
  /** Record state when inspected (absent for an orphan without a record). */
  state?: SandboxState;
  /** Record revision when inspected: the reaper skips a record that changed since. */
  revision?: number;
  backend_id?: string;
  /** Seconds since the relevant moment (last transition, expiry, object creation). */
  age_s?: number;
  reason: string;
  /** For orphans: what `teardown` needs, and which listing context found it. */
  object?: BackendObject;
  target?: number;
  /** For orphans: the workflow run named in its labels has completed, so its age does not protect it. */
  run_completed?: boolean;
}

/** One way to ask an extension for its objects: the manifest config overlaid by one profile's config. */
export interface ListTarget {
  extension_id: string;
  profile_id?: string;
}

export interface StaleReport {
  at: string;
  scope: string;
  items: StaleItem[];
  examined: {
    records: number;
    live_records: number;
    backend_objects: number;
    listed: string[];
    /** Extensions without `list`: only their records are checked. */
    not_listable: string[];
  };
  /** Extensions whose listing failed (credentials, network): their records are never judged `gone`. */
  unreachable: ListFailure[];
  /** Extensions not listed because their credentials are not configured here (not an error). */
  not_configured: ListFailure[];
  targets: ListTarget[];
  /** Objects with our labels but another ownership scope (another installation or repository): never
   *  orphans, never touched unless the reaper is told `--scope any`. */
  foreign: StaleItem[];
}

export interface ListFailure {
  extension_id: string;
  profile_id?: string;
  error: string;
}

export interface FindStaleOptions {
  now?: Date;
  bounds?: Partial<StaleBounds>;
  /** Backend objects (and `gone` records) younger than this are left alone. Default 600 s. */
  minOrphanAge_s?: number;
  /** Only these extensions. Default: every catalog extension with an implementation. */
  extensions?: string[];
  /** Ownership scope whose orphans may be reaped. Default the manager's owner scope; '*' (or 'any') for any. */
  scope?: string;
  signal?: AbortSignal;
  /** Counts backend calls (for benchmarks and reports). */
  calls?: CallCounter;
  /** Secrets already resolved in this run, so each is resolved once however many targets and objects it serves. */
  memo?: CredentialMemo;
  /** Asks GitHub whether a sandbox's workflow run is still going: a completed run's live sandbox is `abandoned`,
   *  and a young orphan of a completed run loses the minimum-age protection. Without it, runs are not asked. */
  runs?: RunOracle;
  /** Sandboxes whose records exist but were not loaded into the store (judged live from a listing elsewhere):
   *  their objects are never orphans. */
  unloaded?: ReadonlySet<string>;
}

export interface CallCounter {
  list: number;
  teardown: number;
  destroy: number;
}

export const newCallCounter = (): CallCounter => ({ list: 0, teardown: 0, destroy: 0 });

export const DEFAULT_MIN_ORPHAN_AGE_S = 600;
/** Bound on one listing or one orphan teardown, so an unresponsive backend cannot hang a reaper run. */
export const BACKEND_CALL_TIMEOUT_MS = 180_000;

export const boundedSignal = (signal?: AbortSignal): AbortSignal =>
  deadline(BACKEND_CALL_TIMEOUT_MS, [signal], 'backend call', true).signal;

const ageSeconds = (now: number, iso: string | undefined): number | undefined =>
  iso === undefined || Number.isNaN(Date.parse(iso))
    ? undefined
    : Math.max(0, Math.floor((now - Date.parse(iso)) / 1000));

const lastTransitionAt = (r: SandboxRecord): string => r.history.at(-1)?.at ?? r.created_at;

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
  const bound = stuckBound(r, bounds);
  const since = ageSeconds(now, lastTransitionAt(r)) ?? 0;
  if (bound !== undefined && r.state !== 'ready' && since >= bound) {
    return { ...base, kind: 'stuck', age_s: since, reason: `${r.state} for ${since}s (bound ${bound}s)` };
  }
  return undefined;
}

export const objectSandboxId = (o: BackendObject): string | undefined =>
  o.sandbox_id ?? o.labels[LABEL.sandboxId];

/**
 * The listing contexts for one extension: one per distinct effective config among the profiles that can use
 * it (a self-hosted backend may live on several hosts), or the bare manifest when no profile names it.
 */
export function listTargets(
  manager: SandboxManager,
  manifest: ExtensionManifest,
): { target: ListTarget; profile?: Profile }[] {
  const seen = new Set<string>();
  const out: { target: ListTarget; profile?: Profile }[] = [];
  for (const entry of manager.catalog.profiles.values()) {
    const p = entry.value;
    if (!profileCandidates(p).includes(manifest.id)) continue;
    const key = JSON.stringify([p.config, p.placement.host ?? null, p.placement.key_ref ?? null]);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ target: { extension_id: manifest.id, profile_id: p.id }, profile: p });
  }
  if (out.length === 0) out.push({ target: { extension_id: manifest.id } });
  return out;
}

export interface ListedExtension {
  manifest: ExtensionManifest;
  ext: Extension;
  objects: (BackendObject & { target: number })[];
  /** False when at least one listing context failed: absence of an object then proves nothing. */
  complete: boolean;
  /** How many listing contexts answered. */
  reached: number;
}

/** List every object carrying our `managed` label on one extension, over all its listing contexts. */
export async function listExtension(
  manager: SandboxManager,
  manifest: ExtensionManifest,
  ext: Extension,
  report: Pick<StaleReport, 'unreachable' | 'not_configured' | 'targets'>,
  opts: { signal?: AbortSignal; calls?: CallCounter; memo?: CredentialMemo; known?: Handle[] },
): Promise<ListedExtension> {
  const objects = new Map<string, BackendObject & { target: number }>();
  let complete = true;
  let reached = 0;
  for (const { target, profile } of listTargets(manager, manifest)) {
    const index = report.targets.push(target) - 1;
    try {
      const base = await manager.gateway.contextFor(manifest, {
        ...(profile ? { profile } : {}),
        signal: boundedSignal(opts.signal),
        ...(opts.memo ? { memo: opts.memo } : {}),
      });
      const ctx: ExtensionContext = opts.known?.length ? { ...base, known: opts.known } : base;
      if (opts.calls) opts.calls.list += 1;
      for (const o of await ext.list!(ctx, { [LABEL.managed]: 'true' })) {
        if (!objects.has(o.backend_id)) objects.set(o.backend_id, { ...o, target: index });
      }
      reached += 1;
    } catch (err) {
      complete = false;
      const e = toSandboxerError(err);
      (e.code === 'credentials' ? report.not_configured : report.unreachable).push({
        extension_id: manifest.id,
        ...(target.profile_id ? { profile_id: target.profile_id } : {}),
        error: e.message,
      });
    }
  }
  return { manifest, ext, objects: [...objects.values()], complete, reached };
}

/** The extensions to inspect: catalog extensions that have an implementation (optionally narrowed). */
export function inspectableExtensions(
  manager: SandboxManager,
  only?: string[],
): { manifest: ExtensionManifest; ext: Extension }[] {
  const out: { manifest: ExtensionManifest; ext: Extension }[] = [];
  for (const entry of manager.catalog.extensions.values()) {
    const manifest = entry.value;
    if (only && !only.includes(manifest.id)) continue;
    if (!manager.registry.has(manifest.id)) continue;
    out.push({ manifest, ext: manager.registry.get(manifest) });
  }
  return out.sort((a, b) => a.manifest.id.localeCompare(b.manifest.id));
}

/** What each record says about where its object lives, so a listing looks there too (never today's env). */
export const knownHandles = (records: Iterable<SandboxRecord>, extensionId: string): Handle[] =>
  [...records]
    .filter((r) => r.extension_id === extensionId && Object.keys(r.handle).length)
    .map((r) => r.handle);

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

/** Objects on `listed` that no live record accounts for. */
export function orphansOf(
  listed: ListedExtension,
  records: Map<string, SandboxRecord>,
  now: number,
  scope: string,
  unloaded: ReadonlySet<string> = new Set(),
): StaleItem[] {
  const out: StaleItem[] = [];
  for (const o of listed.objects) {
    if (scope !== '*' && o.labels[LABEL.scope] !== scope) continue;
    const sid = objectSandboxId(o);
    if (sid && unloaded.has(sid) && !records.has(sid)) continue; // its record lives, just not loaded here
    const r = sid ? records.get(sid) : undefined;
    let reason: string;
    if (!sid) reason = 'carries our labels but no sandbox id';
    else if (!r) reason = 'no record of this sandbox';
    else if (r.extension_id !== listed.manifest.id)
      reason = `record ${r.id} lives on ${r.extension_id} (left behind by a fallback)`;
    else if (isTerminal(r.state) && !r.cleanup_pending) reason = `record ${r.id} is ${r.state}`;
    else continue; // a live record (or one the record pass will clean up) owns it
    const age = objectAge(o, r, now);
    out.push({
      kind: 'orphaned',
      extension_id: listed.manifest.id,
      ...(sid ? { sandbox_id: sid } : {}),
      ...(r ? { state: r.state, revision: r.revision } : {}),
      backend_id: o.backend_id,
      ...(age !== undefined ? { age_s: age } : {}),
      reason,
      object: o,
      target: o.target,
    });
  }
  return out;
}

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

  const all = await manager.store.listSandboxes();
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
    report.items.push(...orphansOf(listed, records, now, scope, opts.unloaded));
    report.foreign.push(...foreignOf(listed, scope, now));
  }
  await markCompletedRuns(report.items, opts.runs, minAge, opts.signal);
  report.items.unshift(...byRecord.values());
  return report;
}

/** An orphan is only touched once it is older than the minimum age (unknown age counts as too young), unless
 *  the run that made it has completed. */
export const orphanOldEnough = (item: StaleItem, minAge_s: number): boolean =>
  minAge_s <= 0 || item.run_completed === true || (item.age_s !== undefined && item.age_s >= minAge_s);
