import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStateStore } from '../../src/state/open.ts';
import { tempDir } from '../helpers/env.ts';
import { cliArgs, REPO_ROOT } from '../helpers/cli.ts';
import { call, startTestApi, type TestApi } from './harness.ts';

/** The stub pauses this long inside provision, after its object exists: the provision stays in flight. */
const HANG = { SANDBOXER_STUB_DELAY_MS: '600000' };

async function createInFlight(api: TestApi, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await api.call('POST', '/v1/sandboxes', { json: {} });
    expect(r.status).toBe(202);
    ids.push(r.body.id);
  }
  // Wait until each backend object exists, so cancelling has something to tear down.
  for (let i = 0; i < 2400 && (await api.backendObjects()).length < n; i++)
    await new Promise((r) => setTimeout(r, 25));
  expect((await api.backendObjects()).length).toBe(n);
  return ids;
}

describe('background provisions and shutdown', () => {
  it('close() cancels in-flight provisions; the manager tears down what they made', async () => {
    const api = await startTestApi({ env: HANG });
    try {
      const ids = await createInFlight(api, 3);
      expect(api.server.inFlight).toBe(3);
      await api.server.close({ graceMs: 0 });
      expect(api.server.inFlight).toBe(0);
      for (const id of ids) {
        const r = await api.manager.get(id);
        expect(r.state).toBe('failed');
        expect(r.error?.code).toBe('cancelled');
        expect(r.cleanup_pending).toBe(false);
      }
      expect(await api.backendObjects()).toEqual([]);
    } finally {
      await api.stop();
    }
  });

  it('close() lets provisions that finish within the grace period finish', async () => {
    const api = await startTestApi({ env: { SANDBOXER_STUB_DELAY_MS: '200' } });
    try {
      const r = await api.call('POST', '/v1/sandboxes', { json: {} });
      expect(r.status).toBe(202);
      await api.server.close({ graceMs: 120_000 });
      expect((await api.manager.get(r.body.id)).state).toBe('ready');
    } finally {
      await api.stop();
    }
  });

  it('DELETE of a sandbox still provisioning cancels it: it ends failed/cancelled with nothing left', async () => {
    const api = await startTestApi({ env: HANG });
    try {
      const [id] = await createInFlight(api, 1);
      const del = await api.call('DELETE', `/v1/sandboxes/${id}`);
      expect(del.status).toBe(202);
      const end = await api.waitFor(id!, ['failed', 'destroyed']);
      expect(end.state).toBe('failed');
      expect(end.error?.code).toBe('cancelled');
      expect(await api.backendObjects()).toEqual([]);
    } finally {
      await api.stop();
    }
  });

  it('recreate of a sandbox still provisioning cancels the old provision first', async () => {
    const api = await startTestApi({ env: HANG });
    try {
      const [id] = await createInFlight(api, 1);
      const re = await api.call('POST', `/v1/sandboxes/${id}/recreate`);
      expect(re.status).toBe(202);
      expect(re.body.recreated_from).toBe(id);
      expect((await api.manager.get(id!)).state).toBe('failed');
      await api.server.close({ graceMs: 0 });
      expect((await api.manager.get(re.body.id)).state).toBe('failed');
      expect(await api.backendObjects()).toEqual([]);
    } finally {
      await api.stop();
    }
  });
});

describe('sandboxer serve (CLI process)', () => {
  it('serves until SIGTERM, then cancels and tears down in-flight provisions and exits 0', async () => {
    const tmp = tempDir('sbx-api-serve-');
    try {
      const child = spawn(
        process.execPath,
        cliArgs(['serve', '--port', '0', '--json', '--drain-timeout', '1s']),
        { cwd: REPO_ROOT, env: { ...process.env, SANDBOXER_STATE_DIR: tmp.dir, ...HANG } },
      );
      let stdout = '';
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
      const started = await new Promise<{ url: string }>((resolve, reject) => {
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          stdout += d;
          if (stdout.includes('\n')) resolve(JSON.parse(stdout.split('\n')[0]!) as { url: string });
        });
        child.on('close', () => reject(new Error(`serve exited early:\n${stdout}\n${stderr}`)));
      });
      expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

      const created = await call(started.url, 'POST', '/v1/sandboxes', { json: { ttl: '10m' } });
      expect(created.status).toBe(202);
      const objects = join(tmp.dir, 'saas-stub', 'objects');
      for (let i = 0; i < 2400; i++) {
        const r = await call(started.url, 'GET', `/v1/sandboxes/${created.body.id}`);
        if (r.body.handle?.backend_id) break;
        await new Promise((res) => setTimeout(res, 25));
      }
      expect(readdirSync(objects).filter((f) => f.endsWith('.json'))).toHaveLength(1);

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stderr).toContain('draining: 1 operation(s) in flight');
      const record = await openStateStore({ SANDBOXER_STATE_DIR: tmp.dir }).getSandbox(created.body.id);
      expect(record).toMatchObject({ state: 'failed', error: { code: 'cancelled' }, cleanup_pending: false });
      expect(readdirSync(objects).filter((f) => f.endsWith('.json'))).toEqual([]);
    } finally {
      tmp.cleanup();
    }
  });

  it('refuses a non-loopback --host without --token-ref (exit 2)', async () => {
    const tmp = tempDir('sbx-api-serve-');
    try {
      const child = spawn(
        process.execPath,
        cliArgs(['serve', '--host', '0.0.0.0', '--port', '0', '--json']),
        {
          cwd: REPO_ROOT,
          env: { ...process.env, SANDBOXER_STATE_DIR: tmp.dir, SANDBOXER_API_TOKEN_REF: '' },
        },
      );
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
      expect(code).toBe(2);
      expect(JSON.parse(stdout).error).toMatchObject({
        code: 'usage',
        hint: expect.stringContaining('--token-ref'),
      });
    } finally {
      tmp.cleanup();
    }
  });
});
