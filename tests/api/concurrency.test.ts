import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './harness.ts';

const N = 100;

describe(`${N} concurrent creates on the stub over real HTTP (file store)`, () => {
  let api: TestApi;
  beforeAll(async () => {
    // Many creates from one caller at once: the per-token limits (tests/api/limits.test.ts) are lifted here.
    api = await startTestApi({ limits: { max_in_flight: 10_000, rate_per_s: 10_000, burst: 10_000 } });
  });
  afterAll(async () => {
    await api.stop();
  });

  it('loses no record: every 202 id is persisted, reaches ready once, and is torn down by concurrent DELETEs', async () => {
    const replies = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        api.call('POST', '/v1/sandboxes', { json: { ttl: '30m', labels: { n: String(i) } } }),
      ),
    );
    expect(replies.map((r) => r.status)).toEqual(Array(N).fill(202));
    const ids = replies.map((r) => r.body.id as string);
    expect(new Set(ids).size).toBe(N);

    const records = [];
    for (const id of ids) records.push(await api.waitFor(id, ['ready', 'failed']));
    expect(records.filter((r) => r.state !== 'ready').map((r) => `${r.id}: ${r.error?.message}`)).toEqual([]);
    for (const r of records) {
      expect(r.history.map((h) => h.to)).toEqual(['requested', 'provisioning', 'ready']);
      expect(r.handle.backend_id).toBe(`stub-${r.id.slice(4)}`);
    }
    // Each request's labels landed on its own record (no cross-talk between concurrent requests).
    expect(records.map((r) => r.labels.n)).toEqual(ids.map((_, i) => String(i)));

    const listed = await api.call('GET', '/v1/sandboxes?state=ready');
    expect(new Set(listed.body.sandboxes.map((s: { id: string }) => s.id))).toEqual(new Set(ids));
    expect(readdirSync(join(api.stateDir, 'sandboxes')).filter((f) => f.endsWith('.json'))).toHaveLength(N);
    expect((await api.backendObjects()).map((o) => o.sandbox_id).sort()).toEqual([...ids].sort());

    const dels = await Promise.all(ids.map((id) => api.call('DELETE', `/v1/sandboxes/${id}`)));
    expect(dels.every((d) => d.status === 202 || d.status === 200)).toBe(true);
    for (const id of ids) expect((await api.waitFor(id, ['destroyed', 'failed'])).state).toBe('destroyed');
    expect(await api.backendObjects()).toEqual([]);
    // No lock file or temp file left behind.
    expect(readdirSync(join(api.stateDir, 'locks'))).toEqual([]);
    expect(readdirSync(join(api.stateDir, 'sandboxes')).filter((f) => !f.endsWith('.json'))).toEqual([]);
  });
});
