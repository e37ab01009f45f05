import { deadline, raceSignal } from '../core/deadline.ts';
import { sleep } from '../core/sleep.ts';
/** One JSON request with a per-request timeout; network failures and 5xx/429 are retried with full jitter. */
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

const RETRY_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

/** Thrown when the server cannot be reached at all; carries the error code, never a request detail. */
export class Unreachable extends Error {
  constructor(readonly detail: string) {
    super(detail);
  }
}

export async function requestJson(url: string, opts: RequestOptions = {}): Promise<JsonResponse> {
  const tries = opts.tries ?? 3;
  const base = opts.retryBaseMs ?? 500;
  let last: JsonResponse | Unreachable | undefined;
  for (let i = 0; i < tries; i++) {
    if (i > 0) await sleep(Math.random() * Math.min(30_000, base * 2 ** i), opts.signal, (s) => s.reason);
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
      last = { status: res.status, body };
      if (!RETRY_STATUS.has(res.status)) return last;
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      const cause = (err as { cause?: { code?: string } }).cause;
      last = new Unreachable(signal.aborted ? 'timed out' : (cause?.code ?? (err as Error).name));
    } finally {
      bound.clear();
    }
  }
  if (last instanceof Unreachable) throw last;
  return last!;
}
