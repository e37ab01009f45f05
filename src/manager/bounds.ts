import { deadline, raceSignal } from '../core/deadline.ts';
import { BackendError } from '../core/errors.ts';

/**
 * The manager's bounds on backend work, as timers of our own (src/core/deadline.ts) rather than
 * `AbortSignal.timeout/any`, which may never fire after a GC. Every bounded call is also raced against its
 * signal, so an adapter or SDK that ignores the abort cannot keep the caller waiting past the bound.
 */

/** Run `fn` with a signal that aborts after `ms` or with `parent`; settle no later than that abort. */
export async function bounded<T>(
  ms: number,
  parent: AbortSignal | undefined,
  fn: (signal: AbortSignal) => Promise<T>,
  what?: string,
): Promise<T> {
  const d = deadline(ms, [parent], what);
  try {
    return await raceSignal(fn(d.signal), d.signal, what);
  } finally {
    d.clear();
  }
}

/**
 * Provision + wait ready under the ready bound: a bound that runs out (and not the caller's cancel) is a
 * retryable backend failure, "not ready within N s", so routing may fall back.
 */
export async function readyBound<T>(
  extId: string,
  timeout_s: number,
  signal: AbortSignal,
  fn: (bounded: AbortSignal) => Promise<T>,
): Promise<T> {
  const d = deadline(timeout_s * 1000, [signal], `ready within ${timeout_s}s`);
  try {
    return await raceSignal(fn(d.signal), d.signal);
  } catch (err) {
    if (d.signal.aborted && !signal.aborted) {
      throw new BackendError(extId, `not ready within ${timeout_s}s`, { retryable: true, cause: err });
    }
    throw err;
  } finally {
    d.clear();
  }
}

/**
 * A bounded signal handed out with a context whose user cannot clear it (`contextFor`): the timer is unref'd so
 * it never keeps the process alive, and it holds no listener on a parent (there is none).
 */
export const detachedBound = (ms: number): AbortSignal => deadline(ms, [], undefined, true).signal;
