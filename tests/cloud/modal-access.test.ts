import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { create as tarCreate, extract as tarExtract } from 'tar';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/loader.ts';
import type { PortSpec } from '../../src/catalog/schema.ts';
import type { Owner } from '../../src/core/record.ts';
import { EXEC_MARKER } from '../../src/extensions/modal/process.ts';
import { modalExtension } from '../../src/extensions/modal/index.ts';
import { defaultRegistry } from '../../src/extensions/registry.ts';
import { SandboxAccess } from '../../src/manager/access.ts';
import { SandboxManager } from '../../src/manager/manager.ts';
import { FileStateStore } from '../../src/state/file/file-store.ts';
import { collect } from '../conformance/suite.ts';
import { FakeGrpcError, FakeModal } from '../fakes/modal-fake.ts';
import { tempDir } from '../helpers/env.ts';

/** ext.modal's access methods against the in-memory Modal (whose exec runs real local processes). */
const owner: Owner = { scope: 'github:acme/app', repository: 'acme/app', run_id: '78', run_attempt: '1' };
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

async function setup(ports: PortSpec[] = [{ port: 8080, protocol: 'http' }]) {
  const tmp = tempDir('sbx-modal-access-');
  const fake = new FakeModal();
  const catalog = loadCatalog();
  catalog.profiles.get('profile.modal-gpu')!.value.ports = ports;
  const registry = defaultRegistry().register('ext.modal', modalExtension({ api: fake.factory }));
  const m = new SandboxManager({
    catalog,
    registry,
    store: new FileStateStore(tmp.dir),
    owner,
    env: { SANDBOXER_STATE_DIR: tmp.dir, ...fake.env() },
  });
  cleanups.push(tmp.cleanup, () => fake.dispose());
  const r = await m.create({ profileId: 'profile.modal-gpu' });
  const sb = fake.sandboxes.get(String(r.handle.backend_id))!;
  return { fake, catalog, m, r, sb, access: new SandboxAccess(m) };
}

/** Whether a local pid is gone (or a zombie nobody reaps, which runs nothing). */
const ended = (pid: number) => {
  try {
    return /State:\s+Z/.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return true;
  }
};

describe('ext.modal endpoints', () => {
  it('declares the profile ports at create (http → TLS, tcp → raw TCP) and reports their tunnels', async () => {
    const { sb, r, access, catalog } = await setup([
      { port: 8080, protocol: 'http' },
      { port: 5432, protocol: 'tcp' },
    ]);
    expect(sb.params).toMatchObject({ encryptedPorts: [8080], unencryptedPorts: [5432] });
    expect(Object.keys(sb.tunnels).sort()).toEqual(['5432', '8080']); // only declared ports are reachable
    expect(JSON.parse(String(r.handle.ports))).toEqual([
      { port: 8080, protocol: 'http' },
      { port: 5432, protocol: 'tcp' },
    ]);
    // The handle is what counts: a profile edited after create does not change what Modal exposes.
    catalog.profiles.get('profile.modal-gpu')!.value.ports = [{ port: 9999, protocol: 'http' }];
    const eps = await access.endpoints(r.id);
    const web = sb.tunnels[8080]!;
    const db = sb.tunnels[5432]!;
    expect(eps).toEqual([
      {
        service: 'sandbox',
        port: 8080,
        host: web.host,
        host_port: 443,
        protocol: 'http',
        url: `https://${web.host}`,
      },
      {
        service: 'sandbox',
        port: 5432,
        host: db.unencryptedHost,
        host_port: db.unencryptedPort,
        protocol: 'tcp',
      },
    ]);
  });

  it('a profile without ports declares none, has no tunnels and reports no endpoints', async () => {
    const { sb, r, access } = await setup([]);
    expect(sb.params.encryptedPorts).toBeUndefined();
    expect(sb.params.unencryptedPorts).toBeUndefined();
    expect(r.handle.ports).toBeUndefined();
    expect(await access.endpoints(r.id)).toEqual([]);
  });

  it('a transient Modal failure while reading tunnels is a retryable error, and the client is closed', async () => {
    const { fake, r, access } = await setup();
    fake.inject('tunnels', () => new FakeGrpcError(14, 'unavailable'), 1);
    await expect(access.endpoints(r.id)).rejects.toMatchObject({ code: 'backend', retryable: true });
    expect(fake.openClients).toBe(0);
  });
});

describe('ext.modal exec', () => {
  it('runs argv as given (no shell), a shell string as sh -c, with a marker env and Modal a backstop timeout', async () => {
    const { fake, r, access } = await setup();
    const o = collect();
    await access.exec(r.id, { argv: ['printf', '%s', '$(id)'], timeout_s: 5 }, o);
    expect(o.out()).toBe('$(id)');
    const [call] = fake.execs;
    expect(call!.command).toEqual(['printf', '%s', '$(id)']);
    expect(call!.params).toMatchObject({ mode: 'binary', timeoutMs: 15_000 });
    expect(call!.params.env![EXEC_MARKER]).toMatch(/^[0-9a-f]{24}$/);
    await access.exec(r.id, { shell: 'exit 4' }, collect());
    expect(fake.execs.at(-1)!.command).toEqual(['sh', '-c', 'exit 4']);
    expect(fake.openClients).toBe(0);
  });

  it('a relative cwd is relative to the home directory (Modal takes only an absolute workdir)', async () => {
    const { sb, r, access } = await setup();
    mkdirSync(join(sb.home, 'my dir'));
    const o = collect();
    expect((await access.exec(r.id, { argv: ['pwd'], cwd: 'my dir' }, o)).exit_code).toBe(0);
    expect(o.out().trim()).toBe(join(sb.home, 'my dir'));
    const bad = collect();
    expect((await access.exec(r.id, { argv: ['pwd'], cwd: 'missing' }, bad)).exit_code).not.toBe(0);
  });

  it('refuses a service other than the one container and an invalid environment name', async () => {
    const { r, access } = await setup();
    await expect(access.exec(r.id, { argv: ['true'], service: 'web' }, collect())).rejects.toMatchObject({
      code: 'usage',
    });
    await expect(
      access.exec(r.id, { argv: ['true'], env: { 'BAD-NAME': 'x' } }, collect()),
    ).rejects.toMatchObject({ code: 'usage' });
  });

  it('cancellation ends the command and what it started, and says it was signalled', async () => {
    const { r, sb, access } = await setup();
    const c = new AbortController();
    const pidFile = join(sb.home, 'bg.pid');
    const pending = access.exec(r.id, { shell: `sleep 60 & echo $! > "$HOME/bg.pid"; wait` }, collect(), {
      signal: c.signal,
    });
    for (let i = 0; i < 400 && !existsSync(pidFile); i++) await new Promise((res) => setTimeout(res, 25));
    const bg = Number(readFileSync(pidFile, 'utf8'));
    c.abort();
    const res = await pending;
    expect(res.signal).toBe('SIGTERM');
    expect(res.timed_out).toBeUndefined();
    expect(res.exit_code).not.toBe(0);
    expect(ended(bg)).toBe(true); // the child carried the marker too
    expect(sb.children.size).toBe(0);
  });

  it('an exec in a sandbox whose process has finished fails as Modal does (not retryable)', async () => {
    const { sb, r, access } = await setup();
    sb.running = false;
    await expect(access.exec(r.id, { argv: ['true'] }, collect())).rejects.toMatchObject({
      code: 'backend',
      retryable: false,
      message: expect.stringContaining('already finished'),
    });
  });
});

describe('ext.modal files', () => {
  it('puts and gets relative to the home directory', async () => {
    const { sb, r, access } = await setup();
    const local = mkdtempSync(join(tmpdir(), 'sbx-modal-files-'));
    cleanups.push(() => rmSync(local, { recursive: true, force: true }));
    writeFileSync(join(local, 'a.txt'), 'A\n');
    await access.putFiles(
      r.id,
      { path: 'in/there' },
      tarCreate({ cwd: local, portable: true }, ['a.txt']) as unknown as NodeJS.ReadableStream,
    );
    expect(readFileSync(join(sb.home, 'in/there/a.txt'), 'utf8')).toBe('A\n');
    const back = join(local, 'back');
    mkdirSync(back);
    await pipeline(await access.getFiles(r.id, { path: 'in/there/a.txt' }), tarExtract({ cwd: back }));
    expect(readFileSync(join(back, 'a.txt'), 'utf8')).toBe('A\n');
  });

  it("getting a missing path fails the stream with tar's words; a broken source fails the put", async () => {
    const { fake, sb, r, access } = await setup();
    const stream = await access.getFiles(r.id, { path: '/nonexistent/thing' });
    const err = await pipeline(stream, tarExtract({ cwd: tmpdir() })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'backend', message: expect.stringContaining('/nonexistent/thing') });
    const broken = new Readable({
      read() {
        this.destroy(new Error('disk read failed'));
      },
    });
    await expect(access.putFiles(r.id, { path: '/tmp/x' }, broken)).rejects.toThrow('disk read failed');
    // A destination that cannot be made: the command's own words, not a broken pipe.
    writeFileSync(join(sb.home, 'plain'), 'x');
    const big = Readable.from([Buffer.alloc(1 << 20)]);
    await expect(access.putFiles(r.id, { path: 'plain/sub' }, big)).rejects.toMatchObject({
      code: 'backend',
      message: expect.stringMatching(/plain\/sub.*exit [1-9]/),
    });
    expect(fake.openClients).toBe(0);
  });
});

describe('ext.modal logs', () => {
  it("streams the main process's persisted output: everything, tail N, since; stderr and system apart", async () => {
    const { fake, sb, r, access } = await setup();
    const t0 = Date.now();
    const started = new Date(String(r.handle.started_at));
    fake.emit(sb.sandboxId, 'stdout', 'one\n', new Date(t0 - 3 * 3600_000)); // before this sandbox started
    fake.emit(sb.sandboxId, 'stderr', 'two\n', started);
    fake.emit(sb.sandboxId, 'system', 'oom\n', started);
    fake.emit(sb.sandboxId, 'stdout', 'three\n', new Date(t0));
    const all = collect();
    await access.logs(r.id, { since: new Date(t0 - 4 * 3600_000).toISOString() }, all);
    expect(all.out()).toBe('one\nthree\n');
    expect(all.err()).toBe('two\noom\n');
    const tail = collect();
    await access.logs(r.id, { tail: 2 }, tail);
    expect([tail.out(), tail.err()]).toEqual(['three\n', 'oom\n']);
    const fromStart = collect(); // by default: since the sandbox started
    await access.logs(r.id, {}, fromStart);
    expect([fromStart.out(), fromStart.err()]).toEqual(['three\n', 'two\noom\n']);
    const since = collect();
    await access.logs(r.id, { since: '2m' }, since);
    expect(since.out()).toBe('three\n');
    expect(since.err()).toBe('two\noom\n');
    await expect(access.logs(r.id, { since: 'yesterday-ish' }, collect())).rejects.toMatchObject({
      code: 'usage',
    });
  });

  it('follows new lines without repeats until the sandbox exits', async () => {
    const { fake, sb, r, access } = await setup();
    fake.emit(sb.sandboxId, 'stdout', 'before\n');
    const o = collect();
    const following = access.logs(
      r.id,
      { follow: true },
      {
        stdout: (c) => {
          o.stdout(c);
          if (c.toString() === 'before\n') {
            fake.emit(sb.sandboxId, 'stdout', 'after\n', new Date(Date.now() + 10));
            sb.running = false; // the main process ends: following ends after the next poll
            sb.exitCode = 0;
          }
        },
        stderr: o.stderr,
      },
    );
    await following;
    expect(o.out()).toBe('before\nafter\n');
  });
});
