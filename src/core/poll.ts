import { deadline } from './deadline.ts';
import { CancelledError, SandboxerError } from './errors.ts';
import { sleep } from './sleep.ts';

/** One look at what is awaited: done (with its value), or not yet and why (the reason a timeout reports). */
export type PollStep<T> = { done: true; value: T } | { done: false; reason: string };

export const ready = <T>(value: T): PollStep<T> => ({ done: true, value });
export const notYet = (reason: string): PollStep<never> => ({ done: false, reason });

export interface PollOptions {
  /** The caller's signal: when it aborts, poll rejects with a CancelledError. */
  signal?: AbortSignal;
  /** A bound of poll's own (src/core/deadline.ts); when it passes, `timedOut(last reason)` is thrown. */
  timeout_ms?: number;
  /** First pause between looks (default 200 ms); each later pause doubles, up to `max_ms` (default 2000 ms). */
  initial_ms?: number;
  max_ms?: number;
  /** The error for a passed `timeout_ms`, given the last reason. Default: a `timeout` SandboxerError. */
  timedOut?: (last: string) => Error;
}

/**
 * The one readiness loop: look (`probe`), and while the answer is "not yet", pause with exponential backoff and
 * look again, until it is done, the probe throws (a final failure: passed through as is), the caller's signal
 * aborts during a pause (CancelledError) or poll's own bound passes (`timedOut(last reason)`). The probe gets a
 * signal that aborts at the bound or on cancellation, so a look in flight ends with them; a pause is cut short at
 * the bound.
 */
export async function poll<T>(
  probe: (signal: AbortSignal, attempt: number) => Promise<PollStep<T>>,
  opts: PollOptions = {},
): Promise<T> {
  const bound = deadline(opts.timeout_ms, [opts.signal], 'poll');
  const max = opts.max_ms ?? 2000;
  let delay = opts.initial_ms ?? 200;
  let last = 'not checked';
  const timedOut = () => opts.timeout_ms !== undefined && bound.signal.aborted && !opts.signal?.aborted;
  const timeoutError = (): Error =>
    opts.timedOut?.(last) ?? new SandboxerError('timeout', `not done within ${opts.timeout_ms} ms: ${last}`);
  try {
    for (let attempt = 1; ; attempt++) {
      if (opts.signal?.aborted) throw new CancelledError();
      if (timedOut()) throw timeoutError();
      let step: PollStep<T>;
      try {
        step = await probe(bound.signal, attempt);
      } catch (err) {
        if (timedOut()) throw timeoutError();
        throw err;
      }
      if (step.done) return step.value;
      last = step.reason;
      await sleep(delay, bound.signal, () => (timedOut() ? timeoutError() : new CancelledError()));
      delay = Math.min(delay * 2, max);
    }
  } finally {
    bound.clear();
  }
}
