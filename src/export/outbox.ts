import * as z from 'zod';
import { isTerminal } from '../core/lifecycle.ts';
import type { Logger } from '../core/logger.ts';
import { silentLogger } from '../core/logger.ts';
import { Ledger } from '../payments/ledger.ts';
import { claimOwnerGone, type Claim, type StateStore } from '../state/store.ts';
import { finHubConfig, type FinHubConfig } from './config.ts';
import { DEFAULT_POLICY, deliver, type RetryPolicy } from './deliver.ts';
import { CloudEvent, usageEvent, usageEventId } from './envelope.ts';

/** Usage records persisted before sending; removed once fin-hub acknowledged them. */
export const OUTBOX_COLLECTION = 'export-outbox';
/** One marker per acknowledged record, so recovery never re-queues what fin-hub already has. */
export const ACKED_COLLECTION = 'export-acked';

export const AckMarker = z
  .object({ at: z.string(), status: z.number().int(), duplicate: z.boolean() })
  .strict();

export interface FlushResult {
  delivered: string[];
  duplicates: string[];
  pending: { id: string; error: string; retryable: boolean }[];
}

export interface ReplayResult extends FlushResult {
  enabled: boolean;
  /** Records recovered from terminal sandboxes whose export (or debit) a crash had cut short. */
  requeued: string[];
  ledger_entries_written: number;
  /** Still in the outbox after this run (beyond the limit or not acknowledged). */
  remaining: number;
}

/** Persist a usage record in the outbox; false when it is already there (another teardown queued it). */
export function enqueue(store: StateStore, event: CloudEvent): Promise<boolean> {
  return store.appendOnce(OUTBOX_COLLECTION, event.id, event);
}

export async function pendingEvents(store: StateStore): Promise<CloudEvent[]> {
  const rows = await store.readCollection(OUTBOX_COLLECTION);
  const out: CloudEvent[] = [];
  for (const { value } of rows) {
    const parsed = CloudEvent.safeParse(value);
    if (parsed.success) out.push(parsed.data);
  }
  return out.sort((a, b) => a.time.localeCompare(b.time) || a.id.localeCompare(b.id));
}

/**
 * How long a claim on one queued record holds: the longest one delivery can take under the policy (its time
 * budget plus the last request's timeout) and a margin. A claimer that dies mid-send leaves its record to be
 * claimed again after this (at once, by a process on the same host that sees the claimer's pid gone).
 */
export const leaseMsFor = (policy: RetryPolicy): number => policy.deadline_ms + policy.timeout_ms + 10_000;

/**
 * Release the claims of claimers that are gone: a `<host>/<pid>` owner on this host whose process no longer
 * exists (a teardown killed mid-send). Claims of other hosts end only with their lease.
 */
export async function releaseAbandonedClaims(store: StateStore): Promise<string[]> {
  const freed: string[] = [];
  for (const c of await store.listClaims(OUTBOX_COLLECTION)) {
    if (claimOwnerGone(c.owner) && (await store.releaseClaim(OUTBOX_COLLECTION, c.key, c.token)))
      freed.push(c.key);
  }
  return freed;
}

/**
 * Send queued records, those named in `first` before the rest, at most `limit` of them. Each record is claimed
 * in the store before it is sent (`claimEntries`), so concurrent flushes — teardowns, replays, replicas — never
 * send one record twice: a claimed record is passed over, a record whose send failed is released and claimable
 * again, a record whose claimer died is claimable once its lease expires. A claimed record already acknowledged
 * (another flush finished it between our listing and our claim) is removed without a send. The ack marker is
 * written before the outbox entry is removed, so a crash in between costs no second send either.
 */
export async function flushOutbox(
  store: StateStore,
  cfg: FinHubConfig,
  opts: { limit?: number; first?: string[]; policy?: RetryPolicy; signal?: AbortSignal; log?: Logger } = {},
): Promise<FlushResult> {
  const log = opts.log ?? silentLogger;
  const policy = opts.policy ?? DEFAULT_POLICY;
  const leaseMs = leaseMsFor(policy);
  const limit = opts.limit ?? Infinity;
  const result: FlushResult = { delivered: [], duplicates: [], pending: [] };
  const tried = new Set<string>();
  const first = [...new Set(opts.first ?? [])];
  let sent = 0;
  while (sent < limit && !opts.signal?.aborted) {
    const claim = await claimNext(store, leaseMs, first, tried);
    if (!claim) break;
    tried.add(claim.key);
    try {
      const event = CloudEvent.safeParse(claim.value);
      if (!event.success || (await store.getEntry(ACKED_COLLECTION, claim.key)) !== undefined) {
        // An acknowledged record is done; an unreadable one is given back for an operator to look at.
        if (event.success) await store.removeFromCollection(OUTBOX_COLLECTION, claim.key);
        else await store.releaseClaim(OUTBOX_COLLECTION, claim.key, claim.token);
        continue;
      }
      sent++;
      const outcome = await deliver(cfg, event.data, policy, opts.signal);
      if (outcome.ok) {
        await store.appendOnce(ACKED_COLLECTION, claim.key, {
          at: new Date().toISOString(),
          status: outcome.status,
          duplicate: outcome.duplicate,
        });
        await store.removeFromCollection(OUTBOX_COLLECTION, claim.key);
        (outcome.duplicate ? result.duplicates : result.delivered).push(claim.key);
        log.debug(`fin-hub: ${claim.key} acknowledged (${outcome.status})`);
        continue;
      }
      await store.releaseClaim(OUTBOX_COLLECTION, claim.key, claim.token);
      result.pending.push({ id: claim.key, error: outcome.error, retryable: outcome.retryable });
      log.warn(
        `fin-hub export of ${claim.key} not acknowledged (${outcome.error}); it stays in the outbox — run 'sandboxer export replay'`,
      );
      // The collector is down or refusing: do not hammer it with the rest of the queue.
      if (outcome.retryable) break;
    } catch (err) {
      // A store error mid-way: give the record back rather than leave it to its lease.
      await store.releaseClaim(OUTBOX_COLLECTION, claim.key, claim.token).catch(() => undefined);
      throw err;
    }
  }
  return result;
}

/** The next record to send: one of `first` if any is claimable, else any queued record not tried yet. */
async function claimNext(
  store: StateStore,
  leaseMs: number,
  first: string[],
  tried: Set<string>,
): Promise<Claim | undefined> {
  const skip = [...tried];
  const wanted = first.filter((k) => !tried.has(k));
  if (wanted.length) {
    const [mine] = await store.claimEntries(OUTBOX_COLLECTION, { leaseMs, keys: wanted, skip });
    if (mine) return mine;
    // Not claimable (another process has them, or they are done): never try them again in this flush.
    for (const k of wanted) tried.add(k);
  }
  const [next] = await store.claimEntries(OUTBOX_COLLECTION, { leaseMs, skip: [...tried] });
  return next;
}

/**
 * Recover and send everything not yet acknowledged: terminal metered sandboxes whose debit or usage record a
 * crash cut short are settled and re-queued, then the outbox is flushed. Safe to run from any number of
 * processes at once (teardown, reap-stale, `sandboxer export replay`): each record is claimed before it is
 * sent, ids are fixed and duplicates are success. Claims of claimers seen dead on this host are released first.
 */
export async function replayOutbox(
  store: StateStore,
  env: NodeJS.ProcessEnv,
  opts: { limit?: number; policy?: RetryPolicy; signal?: AbortSignal; log?: Logger } = {},
): Promise<ReplayResult> {
  const records = (await store.listSandboxes()).filter((r) => isTerminal(r.state));
  const ledger_entries_written = await new Ledger(store).reconcile(records);
  const cfg = finHubConfig(env);
  const empty = { delivered: [], duplicates: [], pending: [] };
  if (!cfg) return { enabled: false, requeued: [], ledger_entries_written, remaining: 0, ...empty };
  await releaseAbandonedClaims(store);
  const requeued: string[] = [];
  const acked = new Set((await store.readCollection(ACKED_COLLECTION)).map((r) => r.key));
  for (const r of records) {
    if (!r.meter || acked.has(usageEventId(r.id))) continue;
    const event = usageEvent(r, cfg.source);
    if (event && (await enqueue(store, event))) requeued.push(event.id);
  }
  const flushed = await flushOutbox(store, cfg, opts);
  const remaining = (await store.readCollection(OUTBOX_COLLECTION)).length;
  return { enabled: true, requeued, ledger_entries_written, remaining, ...flushed };
}
