import { deadline, raceSignal } from '../core/deadline.ts';
import { GIVE_UP, isTransientStatus, parseRetryAfter, retrying } from '../core/retry.ts';
import { describeEndpoint, type FinHubConfig } from './config.ts';
import type { CloudEvent } from './envelope.ts';

/** Retry policy for one usage record (defaults follow established practice for usage collectors). */
export interface RetryPolicy {
  /** Per-request timeout. */
  timeout_ms: number;
  /** Full-jitter exponential backoff: sleep random() × min(cap, base × 2^attempt). */
  base_ms: number;
  cap_ms: number;
  tries: number;
  /** Give up (the record stays in the outbox) once this much time has gone into one record. */
  deadline_ms: number;
  random?: () => number;
}

export const DEFAULT_POLICY: RetryPolicy = {
  timeout_ms: 10_000,
  base_ms: 500,
  cap_ms: 30_000,
  tries: 6,
  deadline_ms: 120_000,
};

/** Inside a teardown: fewer, shorter tries; what is not acknowledged is replayed later. */
export const TEARDOWN_POLICY: RetryPolicy = {
  timeout_ms: 5_000,
  base_ms: 500,
  cap_ms: 5_000,
  tries: 3,
  deadline_ms: 15_000,
};

export type DeliveryOutcome =
  | { ok: true; status: number; duplicate: boolean; attempts: number }
  | { ok: false; error: string; retryable: boolean; attempts: number };

// The shared transient statuses (src/core/retry.ts), and more: the collector dedupes by event id, so repeating a
// POST after a 408, 425 or 500 can never count a usage record twice.
const isRetryableStatus = (s: number) => isTransientStatus(s) || s === 408 || s === 425 || s >= 500;

export { parseRetryAfter };

/**
 * POST one CloudEvent to fin-hub until it is acknowledged: 2xx, or 409/422 (the collector already has this id —
 * a duplicate is success). Network errors, timeouts, 408/425/429 and 5xx are retried with backoff, honouring
 * Retry-After; anything else is a permanent refusal the operator has to look at.
 */
export async function deliver(
  cfg: FinHubConfig,
  event: CloudEvent,
  policy: RetryPolicy = DEFAULT_POLICY,
  signal?: AbortSignal,
): Promise<DeliveryOutcome> {
  const random = policy.random ?? Math.random;
  const body = JSON.stringify(event);
  const where = describeEndpoint(cfg.url);
  let last = '';
  let made = 0;
  const post = async (attempt: number): Promise<DeliveryOutcome> => {
    made = attempt + 1;
    const bound = deadline(policy.timeout_ms, [signal]);
    try {
      const res = await raceSignal(
        fetch(cfg.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/cloudevents+json',
            ...(cfg.token ? { authorization: `Bearer ${cfg.token}` } : {}),
          },
          body,
          signal: bound.signal,
        }),
        bound.signal,
      );
      const text = (await raceSignal(res.text(), bound.signal).catch(() => ''))
        .slice(0, 200)
        .replace(/\s+/g, ' ');
      if (res.ok || res.status === 409 || res.status === 422)
        return { ok: true, status: res.status, duplicate: !res.ok, attempts: attempt + 1 };
      last = `${where} answered ${res.status}${text ? `: ${text}` : ''}`;
      if (!isRetryableStatus(res.status)) throw new Refused();
      throw new NotYet(parseRetryAfter(res.headers.get('retry-after')));
    } catch (err) {
      if (err instanceof Refused || err instanceof NotYet || signal?.aborted) throw err;
      const e = err as Error & { cause?: { code?: string; message?: string } };
      last =
        e.name === 'TimeoutError'
          ? `${where} did not answer within ${policy.timeout_ms} ms`
          : `${where} unreachable: ${e.cause?.code ?? e.cause?.message ?? e.message}`;
      throw new NotYet(undefined);
    } finally {
      bound.clear();
    }
  };
  try {
    // The one retry loop (src/core/retry.ts): tries, full-jitter backoff, Retry-After, the cap and the deadline.
    return await retrying(
      post,
      (err) =>
        err instanceof NotYet
          ? err.after_ms === undefined
            ? { retry: true }
            : { retry: true, after_ms: err.after_ms }
          : GIVE_UP,
      { policy: { ...policy, random }, ...(signal ? { signal } : {}) },
    );
  } catch (err) {
    if (signal?.aborted) return { ok: false, error: 'cancelled', retryable: true, attempts: made };
    if (err instanceof Refused) return { ok: false, error: last, retryable: false, attempts: made };
    if (
      err instanceof NotYet &&
      made < policy.tries &&
      err.after_ms !== undefined &&
      err.after_ms > policy.cap_ms
    )
      last += ` (asked to retry after ${Math.ceil(err.after_ms / 1000)} s)`;
    return { ok: false, error: last, retryable: true, attempts: made };
  }
}

/** A final refusal of the collector (the status is not worth repeating). */
class Refused extends Error {}
/** Not acknowledged yet: try again, after `after_ms` when the collector said (Retry-After). */
class NotYet extends Error {
  constructor(readonly after_ms: number | undefined) {
    super('not acknowledged');
  }
}
