import { deadline, raceSignal } from '../core/deadline.ts';
import { DEFAULT_RETRY, GIVE_UP, isTransientStatus, retrying, statusVerdict } from '../core/retry.ts';

/** One JSON request with a per-request timeout (see requestJson). */
export interface JsonResponse {
  status: number;
  body: unknown;
}

export interface RequestOptions {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: unknown;
  signal?: AbortSignal;
  timeoutMs?: number;
  tries?: number;
  retryBaseMs?: number;
}

/** Thrown when the server cannot be reached at all; carries the error code, never a request detail. */
export class Unreachable extends Error {
  constructor(readonly detail: string) {
    super(detail);
  }
}

/** A transient answer, carried from one attempt to the retry helper (and returned as is after the last try). */
class Transient extends Error {
  constructor(
    readonly res: JsonResponse,
    readonly retryAfter: string | null,
  ) {
    super(`answered ${res.status}`);
  }
}

/** One JSON request; transient statuses and network failures are retried through the shared policy. */
export async function requestJson(url: string, opts: RequestOptions = {}): Promise<JsonResponse> {
  const policy = {
    ...DEFAULT_RETRY,
    tries: opts.tries ?? 3,
    base_ms: opts.retryBaseMs ?? DEFAULT_RETRY.base_ms,
  };
  try {
    return await retrying(
      () => once(url, opts),
      (err) =>
        err instanceof Transient
          ? statusVerdict(err.res.status, err.retryAfter)
          : err instanceof Unreachable
            ? { retry: true }
            : GIVE_UP,
      { policy, ...(opts.signal ? { signal: opts.signal } : {}) },
    );
  } catch (err) {
    if (err instanceof Transient) return err.res;
    throw err;
  }
}

async function once(url: string, opts: RequestOptions): Promise<JsonResponse> {
  const bound = deadline(opts.timeoutMs ?? 10_000, [opts.signal]);
  const signal = bound.signal;
  try {
    const res = await raceSignal(
      fetch(url, {
        method: opts.method ?? 'GET',
        headers: {
          accept: 'application/json',
          ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...opts.headers,
        },
        ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
        signal,
      }),
      signal,
    );
    const text = await raceSignal(res.text(), signal);
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    const out = { status: res.status, body };
    if (isTransientStatus(res.status)) throw new Transient(out, res.headers.get('retry-after'));
    return out;
  } catch (err) {
    if (err instanceof Transient || opts.signal?.aborted) throw err;
    const cause = (err as { cause?: { code?: string } }).cause;
    throw new Unreachable(signal.aborted ? 'timed out' : (cause?.code ?? (err as Error).name));
  } finally {
    bound.clear();
  }
}
