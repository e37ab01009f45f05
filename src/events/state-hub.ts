import { deadline, raceSignal } from '../core/deadline.ts';
import type { Logger } from '../core/logger.ts';
import { silentLogger } from '../core/logger.ts';
import type { SandboxRecord, SnapshotRecord } from '../core/record.ts';
import type { LifecycleHooks, ReapedAction } from './hooks.ts';

export interface StateHubConfig {
  url: string;
  token?: string;
  /** Per-request bound; the lifecycle waits at most this long for one event. */
  timeout_ms: number;
  /** After a failure, events are dropped (not queued) for this long, so a down hub costs one timeout. */
  cooldown_ms: number;
}

export const LIFECYCLE_EVENT_TYPE = 'io.sandboxer.sandbox.lifecycle.v1';
export const METER_EVENT_TYPE = 'io.sandboxer.sandbox.meter.v1';
export const REAP_EVENT_TYPE = 'io.sandboxer.reaper.action.v1';
export const SNAPSHOT_EVENT_TYPE = 'io.sandboxer.snapshot.lifecycle.v1';

/** State Hub is off unless SANDBOXER_STATE_HUB_URL is set; a malformed URL disables it with a warning. */
export function stateHubConfig(env: NodeJS.ProcessEnv): StateHubConfig | undefined {
  const url = env.SANDBOXER_STATE_HUB_URL?.trim();
  if (!url) return undefined;
  const timeout = Number(env.SANDBOXER_STATE_HUB_TIMEOUT_MS ?? 2000);
  return {
    url,
    ...(env.SANDBOXER_STATE_HUB_TOKEN ? { token: env.SANDBOXER_STATE_HUB_TOKEN } : {}),
    timeout_ms: Number.isFinite(timeout) && timeout > 0 ? Math.min(timeout, 10_000) : 2000,
    cooldown_ms: 30_000,
  };
}

function owner(record: SandboxRecord) {
  return {
    scope: record.owner.scope,
    ...(record.owner.repository ? { repository: record.owner.repository } : {}),
    ...(record.owner.run_id ? { run_id: record.owner.run_id } : {}),
    ...(record.owner.actor_type ? { actor_type: record.owner.actor_type } : {}),
  };
}

/** A lifecycle event; `extension_id` is the discriminator consumers route on. Only non-secret record facts. */
export function lifecycleEvent(record: SandboxRecord, from: string | null, to: string) {
  const last = record.history.at(-1);
  return {
    specversion: '1.0',
    id: `${record.id}-r${record.revision}`,
    source: 'sandboxer',
    type: LIFECYCLE_EVENT_TYPE,
    subject: record.id,
    time: last?.to === to ? last.at : new Date().toISOString(),
    datacontenttype: 'application/json',
    data: {
      sandbox_id: record.id,
      extension_id: record.extension_id,
      profile_id: record.profile_id,
      from,
      to,
      ...(last?.to === to && last.reason ? { reason: last.reason } : {}),
      ...(record.expires_at ? { expires_at: record.expires_at } : {}),
      ...(record.estimate_usd ? { estimate_usd: record.estimate_usd } : {}),
      ...(record.error ? { error_code: record.error.code } : {}),
      owner: owner(record),
      // The HTTP API caller that created it (id and tenancy scope); absent on CLI-made records.
      ...(record.caller ? { caller: record.caller } : {}),
    },
  };
}

export function meterEvent(record: SandboxRecord) {
  if (!record.meter) return undefined;
  return {
    specversion: '1.0',
    id: `meter-${record.id}`,
    source: 'sandboxer',
    type: METER_EVENT_TYPE,
    subject: record.id,
    time: record.meter.ended_at,
    datacontenttype: 'application/json',
    data: {
      sandbox_id: record.id,
      extension_id: record.extension_id,
      profile_id: record.profile_id,
      ...record.meter,
      owner: owner(record),
    },
  };
}

/** A snapshot taken (`available`) or deleted; keyed by snapshot and state so a retry dedupes. */
export function snapshotEvent(snapshot: SnapshotRecord, record?: SandboxRecord) {
  return {
    specversion: '1.0',
    id: `${snapshot.id}-${snapshot.state}`,
    source: 'sandboxer',
    type: SNAPSHOT_EVENT_TYPE,
    subject: snapshot.id,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data: {
      snapshot_id: snapshot.id,
      sandbox_id: snapshot.sandbox_id,
      extension_id: snapshot.extension_id,
      profile_id: snapshot.profile_id,
      state: snapshot.state,
      ...(snapshot.name ? { name: snapshot.name } : {}),
      created_at: snapshot.created_at,
      ...(record ? { owner: owner(record) } : {}),
    },
  };
}

/** An applied reaper action (record closed, orphan torn down, or a failure to), keyed by object and time. */
export function reapEvent(action: ReapedAction) {
  const subject = action.sandbox_id ?? action.backend_id ?? 'unknown';
  return {
    specversion: '1.0',
    id: `reap-${subject}-${action.at}`,
    source: 'sandboxer',
    type: REAP_EVENT_TYPE,
    subject,
    time: action.at,
    datacontenttype: 'application/json',
    data: action,
  };
}

/**
 * Best-effort State Hub emitter: each event is one POST bounded by a short timeout; a failure is logged once
 * and opens a cooldown during which events are dropped. It never throws, so it can never fail the lifecycle.
 */
export class StateHubHooks implements LifecycleHooks {
  readonly name = 'state-hub';
  private downUntil = 0;
  /** Events sent and dropped by this process (for status output and tests). */
  readonly stats = { sent: 0, dropped: 0 };

  constructor(
    private readonly cfg: StateHubConfig,
    private readonly log: Logger = silentLogger,
  ) {}

  async onTransition({ record, from, to }: Parameters<NonNullable<LifecycleHooks['onTransition']>>[0]) {
    if (from === to) return;
    await this.post(lifecycleEvent(record, from, to));
  }

  async onSettled({ record }: Parameters<NonNullable<LifecycleHooks['onSettled']>>[0]) {
    const event = meterEvent(record);
    if (event) await this.post(event);
  }

  async onReaped({ action }: Parameters<NonNullable<LifecycleHooks['onReaped']>>[0]) {
    await this.post(reapEvent(action));
  }

  async onSnapshot({ snapshot, record }: Parameters<NonNullable<LifecycleHooks['onSnapshot']>>[0]) {
    await this.post(snapshotEvent(snapshot, record));
  }

  private async post(event: { id: string }): Promise<void> {
    if (Date.now() < this.downUntil) {
      this.stats.dropped++;
      return;
    }
    const bound = deadline(this.cfg.timeout_ms);
    try {
      const res = await raceSignal(
        fetch(this.cfg.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/cloudevents+json',
            ...(this.cfg.token ? { authorization: `Bearer ${this.cfg.token}` } : {}),
          },
          body: JSON.stringify(event),
          signal: bound.signal,
        }),
        bound.signal,
      );
      await res.body?.cancel().catch(() => undefined);
      if (!res.ok) throw new Error(`answered ${res.status}`);
      this.stats.sent++;
    } catch (err) {
      this.stats.dropped++;
      this.downUntil = Date.now() + this.cfg.cooldown_ms;
      const e = err as Error & { cause?: { code?: string; message?: string } };
      const why =
        e.name === 'TimeoutError'
          ? `no answer within ${this.cfg.timeout_ms} ms`
          : (e.cause?.code ?? e.cause?.message ?? e.message);
      this.log.warn(
        `State Hub event ${event.id} dropped (${why}); events are skipped for ${this.cfg.cooldown_ms / 1000} s — the lifecycle is not affected`,
      );
    } finally {
      bound.clear();
    }
  }
}
