import { sleep } from './sleep.ts';

/**
 * The one retry policy of our HTTP clients (E2B, Vault / secret HTTP, fin-hub delivery): a transient answer
 * (429, 502, 503, 504) or a network failure is tried again with full-jitter exponential backoff, waiting what
 * `Retry-After` asks when the server says; every other status (400, 401, 403, 404, 409, 500 …) is final.
 */
export const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

export const isTransientStatus = (status: number | undefined): boolean =>
  status !== undefined && TRANSIENT_STATUSES.has(status);

export interface RetryPolicy {
  /** Attempts in all (1 = no retry). */
  tries: number;
  /** Full jitter: the n-th retry waits random() × min(cap_ms, base_ms × 2^n). */
  base_ms: number;
  cap_ms: number;
  /** No retry starts once this much time has gone into the call (its waits included). */
  deadline_ms: number;
  random?: () => number;
}

export const DEFAULT_RETRY: RetryPolicy = { tries: 4, base_ms: 250, cap_ms: 10_000, deadline_ms: 60_000 };

/** What one failed attempt means: try again (after `after_ms` when the server said), or give up. */
export type Verdict = { retry: false } | { retry: true; after_ms?: number };
export const GIVE_UP: Verdict = { retry: false };

/** Retry-After as seconds or an HTTP date → milliseconds from now. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The wait before retry number `attempt` (0-based) under `policy`, without a server hint. */
export const backoffMs = (attempt: number, policy: RetryPolicy): number =>
  (policy.random ?? Math.random)() * Math.min(policy.cap_ms, policy.base_ms * 2 ** attempt);

/** The verdict on an HTTP answer: transient statuses are retried (honouring Retry-After), others are final. */
export function statusVerdict(status: number, retryAfter?: string | null): Verdict {
  if (!isTransientStatus(status)) return GIVE_UP;
  const after = parseRetryAfter(retryAfter);
  return after === undefined ? { retry: true } : { retry: true, after_ms: after };
}

/**
 * Run `attempt` until it succeeds or `verdict` says a failure is final; the last failure is rethrown. A
 * Retry-After longer than the policy's cap, or past its deadline, ends the retries (the caller decides later).
 */
export async function retrying<T>(
  attempt: (n: number) => Promise<T>,
  verdict: (err: unknown) => Verdict,
  opts: {
    policy?: RetryPolicy;
    signal?: AbortSignal;
    onRetry?: (err: unknown, wait_ms: number) => void;
  } = {},
): Promise<T> {
  const policy = opts.policy ?? DEFAULT_RETRY;
  const started = Date.now();
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      const v = opts.signal?.aborted ? GIVE_UP : verdict(err);
      if (!v.retry || n >= policy.tries - 1) throw err;
      const wait = v.after_ms ?? backoffMs(n, policy);
      if (wait > policy.cap_ms || Date.now() - started + wait > policy.deadline_ms) throw err;
      opts.onRetry?.(err, wait);
      await sleep(wait, opts.signal, (s) => s.reason);
    }
  }
}
