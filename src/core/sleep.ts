import { CancelledError } from './errors.ts';

/**
 * A pause that ends early when `signal` aborts. It then rejects with `cancelled(signal)`: a CancelledError by
 * default, or e.g. the signal's own reason where the caller tells a deadline from a cancellation.
 */
export function sleep(
  ms: number,
  signal?: AbortSignal,
  cancelled: (signal: AbortSignal) => unknown = () => new CancelledError(),
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelled(signal));
    const onAbort = () => {
      clearTimeout(t);
      reject(cancelled(signal!));
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
