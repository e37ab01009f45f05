import { CancelledError, SandboxerError } from './errors.ts';

/**
 * Bounds of our own. `AbortSignal.timeout()` and `AbortSignal.any()` hold their timers and links weakly: after a
 * garbage collection such a signal may never abort (nodejs/node#57736), so a hung backend outlives its bound. A
 * deadline here is a plain AbortController aborted by a strong `setTimeout` and by explicit listeners on its
 * parents; `clear()` removes every timer and listener, so nothing is kept alive once the bounded work is over.
 */
export interface Deadline {
  readonly signal: AbortSignal;
  /** Stop the timer and unlink from the parents (idempotent). The signal stays as it is. */
  clear(): void;
}

/** The reason a deadline aborts with: a `timeout` SandboxerError naming what was bounded. */
export class DeadlineError extends SandboxerError {
  readonly ms: number;
  constructor(ms: number, what = 'operation') {
    super('timeout', `${what} did not finish within ${Math.round(ms / 100) / 10}s`, { retryable: true });
    // Named like the DOMException AbortSignal.timeout() used, so callers telling a timeout from a cancel still can.
    this.name = 'TimeoutError';
    this.ms = ms;
  }
}

/**
 * Children of a parent signal, behind one listener on it: many deadlines under one long-lived signal (a reaper
 * run's, the CLI's) add no listener each, and a child unlinks in O(1). The references are strong on purpose.
 */
const children = new WeakMap<AbortSignal, Set<(reason: unknown) => void>>();

function link(parent: AbortSignal, onAbort: (reason: unknown) => void): () => void {
  let set = children.get(parent);
  if (!set) {
    const fresh = new Set<(reason: unknown) => void>();
    parent.addEventListener(
      'abort',
      () => {
        for (const f of [...fresh]) f(parent.reason);
        fresh.clear();
      },
      { once: true },
    );
    children.set(parent, fresh);
    set = fresh;
  }
  set.add(onAbort);
  const mine = set;
  return () => void mine.delete(onAbort);
}

/**
 * A signal that aborts after `ms` (when given) or as soon as any parent aborts, whichever comes first.
 * Undefined parents are skipped. Call `clear()` when the bounded work ends (use `withDeadline` to get that right).
 * `unref` lets the process exit while only this timer is pending (for a signal whose owner cannot clear it).
 */
export function deadline(
  ms: number | undefined,
  parents: (AbortSignal | undefined)[] = [],
  what?: string,
  unref = false,
): Deadline {
  const controller = new AbortController();
  const unlink: (() => void)[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const clear = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    for (const u of unlink.splice(0)) u();
  };
  const abort = (reason: unknown) => {
    clear();
    if (!controller.signal.aborted) controller.abort(reason);
  };
  for (const p of parents) {
    if (!p) continue;
    if (p.aborted) {
      abort(p.reason);
      return { signal: controller.signal, clear };
    }
    unlink.push(link(p, abort));
  }
  if (ms !== undefined && Number.isFinite(ms)) {
    timer = setTimeout(() => abort(new DeadlineError(ms, what)), Math.max(0, ms));
    if (unref) timer.unref();
  }
  return { signal: controller.signal, clear };
}

/** Run `fn` under a deadline and always clear it afterwards. */
export async function withDeadline<T>(
  ms: number | undefined,
  parents: (AbortSignal | undefined)[],
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const d = deadline(ms, parents);
  try {
    return await fn(d.signal);
  } finally {
    d.clear();
  }
}

/** What a raced call rejects with when its signal aborts: the deadline's own error, else a CancelledError. */
export function abortError(signal: AbortSignal, what?: string): SandboxerError {
  const reason: unknown = signal.reason;
  if (reason instanceof SandboxerError) return reason;
  return new CancelledError(what ? `${what} cancelled` : undefined);
}

/**
 * Settle with `promise`, or reject at once when `signal` aborts, even if the work behind the promise ignores the
 * abort (an SDK whose fetch lost the signal after a GC, nodejs/node#55428). The work itself may keep running; a
 * late rejection of it is swallowed. The listener is removed as soon as either side settles.
 */
export function raceSignal<T>(promise: Promise<T>, signal: AbortSignal, what?: string): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(abortError(signal, what));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      promise.catch(() => undefined);
      reject(abortError(signal, what));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
