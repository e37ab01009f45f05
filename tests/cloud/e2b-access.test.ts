import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { create as tarCreate, extract as tarExtract } from 'tar';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/loader.ts';
import type { SandboxerError } from '../../src/core/errors.ts';
import type { Owner, SandboxRecord } from '../../src/core/record.ts';
import type { OutputSink } from '../../src/extensions/contract.ts';
import { defaultRegistry } from '../../src/extensions/registry.ts';
import { SandboxAccess } from '../../src/manager/access.ts';
import { SandboxManager } from '../../src/manager/manager.ts';
import { FileStateStore } from '../../src/state/file/file-store.ts';
import { collect } from '../conformance/suite.ts';
import { FakeE2bServer } from '../fakes/e2b-server.ts';
import { tempDir } from '../helpers/env.ts';

/** ext.e2b access (endpoints, exec, files) through the real `e2b` SDK against the fake E2B API and envd. */
const tmp = tempDir('sbx-e2b-access-');
const local = tempDir('sbx-e2b-access-local-');
const server = new FakeE2bServer();
const env: NodeJS.ProcessEnv = { SANDBOXER_STATE_DIR: tmp.dir };
const catalog = loadCatalog();
const registry = defaultRegistry();
const owner: Owner = { scope: 'github:acme/app', repository: 'acme/app', run_id: '7', run_attempt: '1' };
const manager = (extra: NodeJS.ProcessEnv = {}) =>
  new SandboxManager({
    catalog,
    registry,
    store: new FileStateStore(tmp.dir),
    owner,
    env: { ...env, ...extra },
  });

let m: SandboxManager;
let access: SandboxAccess;
let rec: SandboxRecord;
const fake = () => server.sandboxes.get(String(rec.handle.backend_id))!;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** A process is gone once /proc has no entry for it, or only its zombie (killed, not yet reaped). */
function gone(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? true;
  } catch {
    return true;
  }
}

beforeAll(async () => {
  await server.start();
  Object.assign(env, server.env());
  m = manager();
  access = new SandboxAccess(m);
  rec = await m.create({ profileId: 'profile.e2b-burst' });
});
afterAll(async () => {
  await m.destroy(rec.id).catch(() => undefined);
  await server.stop();
  tmp.cleanup();
  local.cleanup();
});
beforeEach(() => server.clearFaults());

describe('ext.e2b endpoints', () => {
  it("reports the profile's ports (saved in the handle at provision) at E2B's https edge", async () => {
    expect(JSON.parse(String(rec.handle.ports))).toEqual([{ port: 8080, protocol: 'http' }]);
    const host = `8080-${fake().sandboxID}.e2b.app`;
    expect(await access.endpoints(rec.id)).toEqual([
      { service: 'sandbox', port: 8080, host, host_port: 443, protocol: 'http', url: `https://${host}` },
    ]);
  });

  it("does not depend on today's catalog: a record without saved ports has none", async () => {
    const { ext, manifest } = m.extensionFor(rec);
    const ctx = await m.contextFor(manifest, { config: rec.config });
    const handle = { ...rec.handle };
    delete handle.ports;
    expect(await ext.endpoints!({ ...ctx, sandbox: { ...rec, handle } })).toEqual([]);
  });
});

describe('ext.e2b exec', () => {
  it('passes the exit code through (non-zero is a result) and streams both outputs', async () => {
    const o = collect();
    const r = await access.exec(rec.id, { shell: 'echo out; echo err >&2; exit 42' }, o);
    expect(r).toEqual({ exit_code: 42 });
    expect([o.out(), o.err()]).toEqual(['out\n', 'err\n']);
    const missing = await access.exec(rec.id, { argv: ['no-such-program-here'] }, collect());
    expect(missing.exit_code).toBe(127);
  });

  it('sends stdin in chunks and closes it (more than one 64 KiB sendStdin)', async () => {
    const input = Buffer.alloc(200_000, 'x');
    const o = collect();
    const r = await access.exec(rec.id, { argv: ['wc', '-c'], stdin: input }, o);
    expect(r.exit_code).toBe(0);
    expect(o.out().trim()).toBe('200000');
    const sends = server.requests.filter((q) => q.path === '/process.Process/SendInput').length;
    expect(sends).toBeGreaterThanOrEqual(4);
    expect(server.requests.some((q) => q.path === '/process.Process/CloseStdin')).toBe(true);
  });

  it('bounds a command by timeout_s: killed with its group, reported as timed out', async () => {
    const o = collect();
    const r = await access.exec(
      rec.id,
      { shell: 'sleep 30 & echo $! > "$HOME/timeout-child"; wait', timeout_s: 1 },
      o,
    );
    expect(r).toEqual({ exit_code: 137, signal: 'SIGKILL', timed_out: true });
    expect(gone(Number(readFileSync(join(fake().home, 'timeout-child'), 'utf8')))).toBe(true);
  });

  it('an abort of the signal kills the remote command (and what it started) before exec rejects', async () => {
    const controller = new AbortController();
    const sink: OutputSink = {
      stdout: (c) => {
        if (c.toString().includes('started')) controller.abort();
      },
      stderr: () => undefined,
    };
    const before = new Set(server.envd.processes.keys());
    const err = await access
      .exec(rec.id, { shell: 'sleep 30 & echo $! > "$HOME/cancel-child"; echo started; wait' }, sink, {
        signal: controller.signal,
      })
      .catch((e: unknown) => e as SandboxerError);
    expect(err).toMatchObject({ code: 'cancelled' });
    const started = [...server.envd.processes.values()].find(
      (p) => !before.has(p.pid) && p.args.join(' ').includes('cancel-child'),
    )!;
    expect(started).toBeDefined();
    // The kill was delivered before exec settled: the command and its background child are gone.
    for (let i = 0; i < 100 && !started.end; i++) await new Promise((res) => setTimeout(res, 20));
    expect(started.end?.signal).toBe('SIGKILL');
    expect(gone(Number(readFileSync(join(fake().home, 'cancel-child'), 'utf8')))).toBe(true);
  });

  it('honours env, cwd (relative to the home) and refuses a cwd that does not exist', async () => {
    mkdirSync(join(fake().home, 'work'), { recursive: true });
    const o = collect();
    await access.exec(rec.id, { shell: 'pwd; printf %s "$X"', cwd: 'work', env: { X: `$(id) '"` } }, o);
    expect(o.out()).toBe(`${join(fake().home, 'work')}\n$(id) '"`);
    await expect(
      access.exec(rec.id, { argv: ['true'], cwd: '/no/such/dir' }, collect()),
    ).rejects.toMatchObject({ code: 'backend', retryable: false });
  });

  it('maps envd refusing the access token as an auth error, not retryable', async () => {
    server.inject({ op: 'exec', status: 401, message: 'unauthorized access' });
    const err = await access.exec(rec.id, { argv: ['true'] }, collect()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'backend', retryable: false, status: 401 });
    // And the fake is as strict as envd: no token, no command.
    const res = await fetch(`${server.url}/process.Process/List`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'e2b-sandbox-id': fake().sandboxID },
      body: '{}',
    });
    expect(res.status).toBe(401);
  });

  it('a wrong API key fails before anything runs: not retryable, the key never echoed', async () => {
    const wrong = 'e2b_wrong_key_for_access_0123';
    const a = new SandboxAccess(manager({ E2B_API_KEY: wrong }));
    const err = (await a
      .exec(rec.id, { argv: ['true'] }, collect())
      .catch((e: unknown) => e)) as SandboxerError;
    expect(err).toMatchObject({ code: 'backend', retryable: false, status: 401 });
    expect(JSON.stringify(err.toJSON())).not.toContain(wrong);
  });
});

describe('ext.e2b files', () => {
  it('round-trips a directory with modes, a symlink and an empty directory; gets a single file', async () => {
    const src = join(local.dir, 'src');
    mkdirSync(join(src, 'empty'), { recursive: true });
    writeFileSync(join(src, 'run.sh'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
    const { symlinkSync } = await import('node:fs');
    symlinkSync('run.sh', join(src, 'link'));
    await access.putFiles(
      rec.id,
      { path: 'proj' },
      tarCreate({ cwd: src, portable: true }, ['.']) as unknown as NodeJS.ReadableStream,
    );
    const o = collect();
    expect((await access.exec(rec.id, { argv: ['./proj/link'] }, o)).exit_code).toBe(0);
    expect(o.out()).toBe('hi\n');
    const back = join(local.dir, 'back');
    mkdirSync(back);
    await pipeline(await access.getFiles(rec.id, { path: 'proj' }), tarExtract({ cwd: back }));
    expect(statSync(join(back, 'proj', 'run.sh')).mode & 0o111).not.toBe(0);
    expect(statSync(join(back, 'proj', 'empty')).isDirectory()).toBe(true);
    const one = join(local.dir, 'one');
    mkdirSync(one);
    await pipeline(await access.getFiles(rec.id, { path: 'proj/run.sh' }), tarExtract({ cwd: one }));
    expect(readdirSync(one)).toEqual(['run.sh']);
    // The temporary tars are gone from the sandbox.
    for (let i = 0; i < 50 && readdirSync('/tmp').some((f) => f.startsWith('.sandboxer-')); i++)
      await new Promise((res) => setTimeout(res, 20));
    expect(readdirSync('/tmp').filter((f) => f.startsWith('.sandboxer-get-'))).toEqual([]);
  });

  it('a missing path is a clear error, not retryable', async () => {
    await expect(access.getFiles(rec.id, { path: '/no/such/path' })).rejects.toMatchObject({
      code: 'backend',
      retryable: false,
    });
  });

  it('keeps every secret out of handles, records and state (API key and envd token)', async () => {
    const r = await m.get(rec.id);
    const token = fake().envdAccessToken;
    expect(existsSync(tmp.dir)).toBe(true);
    for (const text of [JSON.stringify(r), ...filesUnder(tmp.dir).map((f) => readFileSync(f, 'utf8'))]) {
      expect(text).not.toContain(server.apiKey);
      expect(text).not.toContain(token);
    }
  });

  it('on an older envd (0.4.0): the upload goes multipart, and stdin without closeStdin says to rebuild', async () => {
    const current = server.envdVersion;
    server.envdVersion = '0.4.0';
    const old = await m
      .create({ profileId: 'profile.e2b-burst' })
      .finally(() => (server.envdVersion = current));
    try {
      const src = join(local.dir, 'old');
      mkdirSync(src);
      writeFileSync(join(src, 'a.txt'), 'A\n');
      await access.putFiles(
        old.id,
        { path: 'up' },
        tarCreate({ cwd: src, portable: true }, ['.']) as unknown as NodeJS.ReadableStream,
      );
      const o = collect();
      await access.exec(old.id, { argv: ['cat', 'up/a.txt'] }, o);
      expect(o.out()).toBe('A\n');
      const err = await access
        .exec(old.id, { argv: ['cat'], stdin: 'x' }, collect())
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'backend', retryable: false });
      expect((err as Error).message).toContain('closeStdin');
    } finally {
      await m.destroy(old.id);
    }
  });

  it('refuses a service name: one container per E2B sandbox', async () => {
    await expect(access.exec(rec.id, { argv: ['true'], service: 'web' }, collect())).rejects.toMatchObject({
      code: 'usage',
    });
    await expect(access.getFiles(rec.id, { path: 'x', service: 'db' })).rejects.toMatchObject({
      code: 'usage',
    });
  });
});
