import { HttpError } from './http-error.ts';

/**
 * Per-caller limits on the mutating routes of the HTTP API: at most `max_in_flight` operations of one caller at a
 * time (a create counts until its background provision ends), and a token bucket of `burst` requests refilled
 * at `rate_per_s`. A refusal is 429 with Retry-After; nothing was started or written for it.
 */
export interface ApiLimits {
  max_in_flight: number;
  rate_per_s: number;
  burst: number;
}

export const DEFAULT_LIMITS: ApiLimits = { max_in_flight: 16, rate_per_s: 10, burst: 100 };

/** One admitted request: released when it is answered, or held by the background work it started. */
export interface Lease {
  /** Release now, unless held. Idempotent. */
  release(): void;
  /** Keep the slot past the answer; the returned function releases it (idempotent). */
  hold(): () => void;
}

interface Bucket {
  tokens: number;
  at: number;
  inFlight: number;
}

const retryAfter = (s: number) => ({ 'Retry-After': String(Math.max(1, Math.ceil(s))) });

export class Limiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    readonly limits: ApiLimits = DEFAULT_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Admit one mutating request of a caller (its id, see src/api/auth.ts) or throw 429. */
  admit(caller: string): Lease {
    const key = caller;
    const t = this.now();
    const b = this.buckets.get(key) ?? { tokens: this.limits.burst, at: t, inFlight: 0 };
    this.buckets.set(key, b);
    b.tokens = Math.min(this.limits.burst, b.tokens + ((t - b.at) / 1000) * this.limits.rate_per_s);
    b.at = t;
    if (b.inFlight >= this.limits.max_in_flight) {
      throw new HttpError(
        429,
        'too_many_requests',
        `this caller already has ${b.inFlight} operations in flight (limit ${this.limits.max_in_flight})`,
        {
          retryable: true,
          hint: 'wait for running creates to reach ready or failed, then retry',
          headers: retryAfter(5),
        },
      );
    }
    if (b.tokens < 1) {
      const wait = (1 - b.tokens) / this.limits.rate_per_s;
      throw new HttpError(
        429,
        'too_many_requests',
        `rate limit: ${this.limits.burst} requests at once, then ${this.limits.rate_per_s} per second, per caller`,
        { retryable: true, hint: `retry after ${Math.ceil(wait)} s`, headers: retryAfter(wait) },
      );
    }
    b.tokens -= 1;
    b.inFlight += 1;
    let done = false;
    let held = false;
    const free = () => {
      if (done) return;
      done = true;
      b.inFlight -= 1;
      // Forget a bucket only when it is idle and full again (forgetting a spent one would reset its rate).
      if (b.inFlight === 0 && b.tokens >= this.limits.burst) this.buckets.delete(key);
    };
    return {
      release: () => {
        if (!held) free();
      },
      hold: () => {
        held = true;
        return free;
      },
    };
  }
}
