import * as z from 'zod';
import { isTerminal } from '../core/lifecycle.ts';
import type { Logger } from '../core/logger.ts';
import { silentLogger } from '../core/logger.ts';
import { Ledger } from '../payments/ledger.ts';
import type { StateStore } from '../state/store.ts';
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
 * Send queued records oldest first (those named in `first` before the rest), at most `limit` of them. The
 * ack marker is written before the outbox entry is removed, so a crash in between costs one duplicate send.
 */
export async function flushOutbox(
  store: StateStore,
  cfg: FinHubConfig,
  opts: { limit?: number; first?: string[]; policy?: RetryPolicy; signal?: AbortSignal; log?: Logger } = {},
): Promise<FlushResult> {
  const log = opts.log ?? silentLogger;
  const queued = await pendingEvents(store);
  const first = new Set(opts.first ?? []);
  const ordered = [...queued.filter((e) => first.has(e.id)), ...queued.filter((e) => !first.has(e.id))];
  const result: FlushResult = { delivered: [], duplicates: [], pending: [] };
  for (const event of ordered.slice(0, opts.limit ?? Infinity)) {
    if (opts.signal?.aborted) break;
    const outcome = await deliver(cfg, event, opts.policy ?? DEFAULT_POLICY, opts.signal);
    if (outcome.ok) {
      await store.appendOnce(ACKED_COLLECTION, event.id, {
        at: new Date().toISOString(),
        status: outcome.status,
        duplicate: outcome.duplicate,
      });
      await store.removeFromCollection(OUTBOX_COLLECTION, event.id);
      (outcome.duplicate ? result.duplicates : result.delivered).push(event.id);
      log.debug(`fin-hub: ${event.id} acknowledged (${outcome.status})`);
    } else {
      result.pending.push({ id: event.id, error: outcome.error, retryable: outcome.retryable });
      log.warn(
        `fin-hub export of ${event.id} not acknowledged (${outcome.error}); it stays in the outbox — run 'sandboxer export replay'`,
      );
      // The collector is down or refusing: do not hammer it with the rest of the queue.
      if (outcome.retryable) break;
    }
  }
  return result;
}

/**
 * Recover and send everything not yet acknowledged: terminal metered sandboxes whose debit or usage record a
 * crash cut short are settled and re-queued, then the outbox is flushed. Safe to run from any number of
 * processes at once (teardown, reap-stale, `sandboxer export replay`): ids are fixed and duplicates are success.
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
