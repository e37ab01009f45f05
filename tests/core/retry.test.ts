import { describe, expect, it } from 'vitest';
import { parseRetryAfter, retrying, statusVerdict, type RetryPolicy } from '../../src/core/retry.ts';

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly retryAfter?: string,
  ) {
    super(`answered ${status}`);
  }
}
const policy: RetryPolicy = { tries: 4, base_ms: 1, cap_ms: 50, deadline_ms: 10_000, random: () => 1 };
const verdict = (e: unknown) => statusVerdict((e as HttpFailure).status, (e as HttpFailure).retryAfter);

async function run(answers: (number | 'ok')[], retryAfter?: string) {
  const waits: number[] = [];
  let n = 0;
  const result = await retrying(
    async () => {
      const a = answers[n++];
      if (a === 'ok') return 'ok';
      throw new HttpFailure(a!, retryAfter);
    },
    verdict,
    { policy, onRetry: (_e, w) => waits.push(w) },
  ).catch((e: unknown) => e);
  return { result, attempts: n, waits };
}

describe('the shared retry helper', () => {
  it('retries 429/502/503/504 with exponential backoff, then succeeds', async () => {
    for (const s of [429, 502, 503, 504]) {
      const r = await run([s, s, 'ok']);
      expect(r).toMatchObject({ result: 'ok', attempts: 3, waits: [1, 2] });
    }
  });

  it('never retries other statuses', async () => {
    for (const s of [400, 401, 403, 404, 409, 422, 500]) {
      const r = await run([s, 'ok']);
      expect(r.attempts).toBe(1);
      expect(r.result).toBeInstanceOf(HttpFailure);
    }
  });

  it('honours Retry-After (seconds or a date), and gives up when it asks for more than the cap', async () => {
    expect((await run([429, 'ok'], '0')).waits).toEqual([0]);
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(Date.now() + 60_000).toUTCString())).toBeGreaterThan(50_000);
    const long = await run([503, 'ok'], '120');
    expect(long.attempts).toBe(1);
  });

  it('stops after the policy tries', async () => {
    const r = await run([503, 503, 503, 503, 'ok']);
    expect(r.attempts).toBe(4);
    expect(r.result).toBeInstanceOf(HttpFailure);
  });
});
