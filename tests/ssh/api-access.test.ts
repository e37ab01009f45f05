import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { create as tarCreate, extract as tarExtract } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../src/api/server.ts';
import { loadCatalog } from '../../src/catalog/loader.ts';
import { defaultRegistry } from '../../src/extensions/registry.ts';
import { SandboxManager } from '../../src/manager/manager.ts';
import { FileStateStore } from '../../src/state/file/file-store.ts';
import { call } from '../api/harness.ts';
import { tempDir } from '../helpers/env.ts';
import { projectObjects, skipReason, testHost, writeComposeRepo } from './host.ts';
import { execFileSync } from 'node:child_process';

/** The HTTP API's access routes against a compose-ssh sandbox on the loopback host. */
const reason = skipReason();
const suite = reason ? describe.skip : describe;

suite(`HTTP API: endpoints, exec, logs, files${reason ? ` (skipped: ${reason})` : ''}`, () => {
  const tmp = tempDir('sbx-api-access-');
  let server: ApiServer;
  let m: SandboxManager;
  let id = '';
  beforeAll(async () => {
    const h = testHost();
    m = new SandboxManager({
      catalog: loadCatalog(),
      registry: defaultRegistry(),
      store: new FileStateStore(join(tmp.dir, 'state')),
      owner: { scope: 'test:api-access' },
      env: { ...h.env, SANDBOXER_BASE_DIR: join(tmp.dir, 'host') },
    });
    server = await startApiServer({ manager: m, port: 0 });
    const repo = join(tmp.dir, 'repo');
    writeComposeRepo(repo, h.image);
    id = (await m.create({ profileId: 'profile.compose-e2e', inputs: { repo }, ttl: '10m' })).id;
  });
  afterAll(async () => {
    if (id) await m.destroy(id);
    await server?.close();
    tmp.cleanup();
  });

  it('GET endpoints lists the published port with a URL that answers', async () => {
    const r = await call(server.url, 'GET', `/v1/sandboxes/${id}/endpoints`);
    expect(r.status).toBe(200);
    const web = (r.body.endpoints as { service: string; port: number; url: string }[]).find(
      (e) => e.service === 'web' && e.port === 8080,
    )!;
    expect(await (await fetch(web.url)).text()).toMatch(/hello-from-web/);
  });

  it('POST exec streams NDJSON output and ends with the exit code; a bad body is a 400', async () => {
    const r = await call(server.url, 'POST', `/v1/sandboxes/${id}/exec`, {
      json: { service: 'web', shell: 'echo out; echo err >&2; exit 4' },
    });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/x-ndjson');
    const lines = r.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toContainEqual({ stream: 'stdout', data: 'out\n' });
    expect(lines).toContainEqual({ stream: 'stderr', data: 'err\n' });
    expect(lines.at(-1)).toEqual({ exit: { exit_code: 4 } });
    const bad = await call(server.url, 'POST', `/v1/sandboxes/${id}/exec`, {
      json: { argv: ['true'], shell: 'true' },
    });
    expect(bad.status).toBe(400);
    const hostile = await call(server.url, 'POST', `/v1/sandboxes/${id}/exec`, {
      json: { service: 'web; rm -rf /', argv: ['true'] },
    });
    expect(hostile.status).toBe(400);
  });

  it('GET logs answers the service log as text', async () => {
    const r = await call(server.url, 'GET', `/v1/sandboxes/${id}/logs?service=web&tail=20`);
    expect(r.status).toBe(200);
    expect(r.text).toMatch(/web-started/);
  });

  it('PUT files extracts a tar; GET files answers a tar of it', async () => {
    const src = join(tmp.dir, 'payload');
    mkdirSync(src, { recursive: true });
    writeFileSync(join(src, 'f.txt'), 'via-api\n');
    const chunks: Buffer[] = [];
    for await (const c of tarCreate({ cwd: src, portable: true }, ['.']) as unknown as AsyncIterable<Buffer>)
      chunks.push(Buffer.from(c));
    const put = await call(server.url, 'PUT', `/v1/sandboxes/${id}/files?path=api-in`, {
      raw: Buffer.concat(chunks),
      headers: { 'content-type': 'application/x-tar' },
    });
    expect(put.status).toBe(204);
    const wrongType = await call(server.url, 'PUT', `/v1/sandboxes/${id}/files?path=api-in`, { json: {} });
    expect(wrongType.status).toBe(415);
    const res = await fetch(`${server.url}/v1/sandboxes/${id}/files?path=api-in`);
    expect(res.status).toBe(200);
    const back = join(tmp.dir, 'back');
    mkdirSync(back);
    await pipeline(Readable.fromWeb(res.body as never), tarExtract({ cwd: back }));
    expect(readFileSync(join(back, 'api-in', 'f.txt'), 'utf8')).toBe('via-api\n');
  });

  it('a followed log holds its in-flight slot while open; closing it frees the slot and ends the remote follow (#15)', async () => {
    const limited = await startApiServer({
      manager: m,
      port: 0,
      limits: { max_in_flight: 1, rate_per_s: 1000, burst: 1000 },
    });
    const containers = projectObjects(testHost(), id);
    // `podman logs -f` processes on the host (it is this machine) following one of this sandbox's containers.
    const follows = (): string[] =>
      execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8' })
        .split('\n')
        .filter((l) => / logs .*-f/.test(l) && containers.some((c) => l.includes(c)));
    try {
      const stop = new AbortController();
      const res = await fetch(`${limited.url}/v1/sandboxes/${id}/logs?service=web&follow=true`, {
        signal: stop.signal,
      });
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      let seen = '';
      while (!seen.includes('web-started')) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`the followed log ended early: ${seen}`);
        seen += new TextDecoder().decode(value);
      }
      // The follow is still open: the token's one slot is taken.
      const refused = await call(limited.url, 'POST', `/v1/sandboxes/${id}/exec`, {
        json: { argv: ['true'] },
      });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(follows().length).toBeGreaterThan(0);

      stop.abort();
      await reader.cancel().catch(() => undefined);
      // The server sees the close, stops following on the host and frees the slot (bounded by a poll count).
      let status = 0;
      for (let i = 0; i < 200 && status !== 200; i++) {
        status = (await call(limited.url, 'POST', `/v1/sandboxes/${id}/exec`, { json: { argv: ['true'] } }))
          .status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 50));
      }
      expect(status).toBe(200);
      for (let i = 0; i < 200 && follows().length > 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(follows()).toEqual([]);
    } finally {
      await limited.close({ graceMs: 0 });
    }
  });

  it('the OpenAPI document names every access operation', async () => {
    const doc = (await call(server.url, 'GET', '/openapi.json')).body as { paths: Record<string, object> };
    for (const p of ['endpoints', 'exec', 'logs', 'files'])
      expect(doc.paths[`/v1/sandboxes/{id}/${p}`]).toBeDefined();
  });
});
