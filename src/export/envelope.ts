import * as z from 'zod';
import { DECIMAL_RE } from '../core/money.ts';
import type { SandboxRecord } from '../core/record.ts';

const Iso = z.string().datetime({ offset: true });

/** The usage record fin-hub receives: money as a decimal string, times as ISO-8601. */
export const UsageData = z
  .object({
    sandbox_id: z.string(),
    extension_id: z.string(),
    profile_id: z.string(),
    duration_s: z.number().nonnegative(),
    actual_usd: z.string().regex(DECIMAL_RE),
    currency: z.string(),
    started_at: Iso,
    ended_at: Iso,
    created_at: Iso,
    final_state: z.string(),
    scope: z.string(),
    repository: z.string().optional(),
    run_id: z.string().optional(),
    run_attempt: z.string().optional(),
    pricing: z.record(z.string(), z.union([z.string(), z.number()])),
  })
  .strict();
export type UsageData = z.infer<typeof UsageData>;

/** CloudEvents 1.0, structured mode. */
export const CloudEvent = z
  .object({
    specversion: z.literal('1.0'),
    id: z.string().min(1),
    source: z.string().min(1),
    type: z.string().min(1),
    subject: z.string().optional(),
    time: Iso,
    datacontenttype: z.literal('application/json'),
    data: z.record(z.string(), z.unknown()),
  })
  .strict();
export type CloudEvent = z.infer<typeof CloudEvent>;

export const USAGE_EVENT_TYPE = 'io.sandboxer.usage.v1';

/** Derived from the sandbox id, never random: teardown, reaper and replay all send the same id. */
export const usageEventId = (sandboxId: string): string => `usage-${sandboxId}`;

/** The usage record of a metered sandbox that has settled; undefined when it has no meter. */
export function usageEvent(record: SandboxRecord, source: string): CloudEvent | undefined {
  const m = record.meter;
  if (!m) return undefined;
  const data: UsageData = {
    sandbox_id: record.id,
    extension_id: record.extension_id,
    profile_id: record.profile_id,
    duration_s: m.duration_s,
    actual_usd: m.actual_usd,
    currency: String(m.pricing.currency ?? 'USD'),
    started_at: m.started_at,
    ended_at: m.ended_at,
    created_at: record.created_at,
    final_state: record.state,
    scope: record.owner.scope,
    ...(record.owner.repository ? { repository: record.owner.repository } : {}),
    ...(record.owner.run_id ? { run_id: record.owner.run_id } : {}),
    ...(record.owner.run_attempt ? { run_attempt: record.owner.run_attempt } : {}),
    pricing: m.pricing,
  };
  return {
    specversion: '1.0',
    id: usageEventId(record.id),
    source,
    type: USAGE_EVENT_TYPE,
    subject: record.id,
    time: m.ended_at,
    datacontenttype: 'application/json',
    data: UsageData.parse(data),
  };
}
