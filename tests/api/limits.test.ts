import { afterEach, describe, expect, it } from 'vitest';
import { HttpError } from '../../src/api/http-error.ts';
import { Limiter } from '../../src/api/limits.ts';
import { startTestApi, type TestApi } from './harness.ts';

/** Per-token concurrency and rate limits on mutating routes (#15): 429 with Retry-After, nothing started. */
describe('HTTP API limits', () => {
  let api: TestApi | undefined;
  afterEach(async () => {
    await api?.stop();
    api = undefined;
  });

  it('at most max_in_flight creates of one token run at once; the rest are 429 with Retry-After', async () => {
    const token = 'limits-token-0123456789abcdef';
    api = await startTestApi({
      token,
      limits: { max_in_flight: 3, rate_per_s: 1000, burst: 1000 },
      // Every provision stays in flight until the server stops.
      env: { SANDBOXER_STUB_DELAY_MS: '600000' },
    });
    const replies = await Promise.all(
      Array.from({ length: 30 }, () => api!.call('POST', '/v1/sandboxes', { json: { ttl: '30m' }, token })),
    );
    const accepted = replies.filter((r) => r.status === 202);
    const refused = replies.filter((r) => r.status === 429);
    expect(accepted).toHaveLength(3);
    expect(refused).toHaveLength(27);
    for (const r of refused) {
      expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(r.body.error).toMatchObject({ code: 'too_many_requests', retryable: true });
    }
    // Nothing was written for a refused request.
    expect(await api.manager.list({})).toHaveLength(3);
    // Reads are not limited.
    expect((await api.call('GET', '/v1/sandboxes', { token })).status).toBe(200);
  });

  it('a token bucket bounds the request rate: burst, then 429 with the wait in Retry-After', async () => {
    api = await startTestApi({ limits: { max_in_flight: 100, rate_per_s: 0.01, burst: 3 } });
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 5; i++) {
      last = await api.call('POST', '/v1/sandboxes', { json: { ttl: '30m' } });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([202, 202, 202, 429, 429]);
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(50);
  });

  it('exec, logs and files count against the per-token rate limit too (#15)', async () => {
    api = await startTestApi({ limits: { max_in_flight: 100, rate_per_s: 0.01, burst: 3 } });
    const id = 'sbx-0123456789ab';
    const statuses = [
      (await api.call('GET', `/v1/sandboxes/${id}/logs?follow=true`)).status,
      (await api.call('POST', `/v1/sandboxes/${id}/exec`, { json: { argv: ['true'] } })).status,
      (await api.call('GET', `/v1/sandboxes/${id}/files?path=/tmp`)).status,
    ];
    expect(statuses).not.toContain(429);
    const refused = await api.call('GET', `/v1/sandboxes/${id}/logs`);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(50);
  });
});

describe('Limiter', () => {
  it('keys by token, refills over time and frees a slot when its lease ends', () => {
    let now = 0;
    const l = new Limiter({ max_in_flight: 2, rate_per_s: 1, burst: 2 }, () => now);
    const a1 = l.admit('a');
    const a2 = l.admit('a');
    expect(() => l.admit('a')).toThrow(HttpError);
    // Another token has its own slots and bucket.
    l.admit('b').release();
    a1.release();
    a1.release(); // idempotent
    expect(() => l.admit('a')).toThrowError(/rate limit/); // slot free, bucket empty
    now = 1000;
    const held = l.admit('a').hold();
    a2.release();
    now = 2000;
    expect(() => l.admit('a')).not.toThrow();
    held();
  });
});
