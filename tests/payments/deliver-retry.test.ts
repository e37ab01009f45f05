import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliver, type RetryPolicy } from '../../src/export/deliver.ts';
import type { CloudEvent } from '../../src/export/envelope.ts';

/** deliver() on the shared retry loop (src/core/retry.ts): what each way of giving up reports. */
let server: Server;
let url = '';
let answers: { status: number; headers?: Record<string, string> }[] = [];
let posts = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      posts++;
      const a = answers.shift() ?? { status: 200 };
      res.writeHead(a.status, a.headers ?? {}).end('answer');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const event = { id: 'evt-1', type: 'test' } as unknown as CloudEvent;
const policy: RetryPolicy = { timeout_ms: 5000, base_ms: 1, cap_ms: 50, tries: 3, deadline_ms: 10_000 };
const run = (a: typeof answers, p = policy, signal?: AbortSignal) => {
  answers = a;
  posts = 0;
  return deliver({ url } as never, event, p, signal);
};

describe('deliver retries', () => {
  it('gives up at once when asked to retry after longer than the cap, and says so', async () => {
    const out = await run([{ status: 503, headers: { 'retry-after': '3600' } }]);
    expect(out).toMatchObject({ ok: false, retryable: true, attempts: 1 });
    expect(!out.ok && out.error).toContain('(asked to retry after 3600 s)');
    expect(posts).toBe(1);
  });

  it('a refusal is final after one attempt; transient answers use every try', async () => {
    expect(await run([{ status: 400 }])).toMatchObject({ ok: false, retryable: false, attempts: 1 });
    const out = await run([{ status: 503 }, { status: 502 }, { status: 504 }]);
    expect(out).toMatchObject({ ok: false, retryable: true, attempts: 3 });
    expect(!out.ok && out.error).toContain('answered 504');
    expect(!out.ok && out.error).not.toContain('asked to retry');
    expect(await run([{ status: 500 }, { status: 200 }])).toMatchObject({ ok: true, attempts: 2 });
  });

  it('reports a cancellation as cancelled, retryable', async () => {
    const c = new AbortController();
    c.abort();
    expect(await run([], policy, c.signal)).toMatchObject({ ok: false, error: 'cancelled', retryable: true });
  });
});
