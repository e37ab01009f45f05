import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/loader.ts';
import { defaultRegistry } from '../../src/extensions/registry.ts';
import { shQuote } from '../../src/extensions/ssh/quote.ts';
import { SandboxManager } from '../../src/manager/manager.ts';
import { FileStateStore } from '../../src/state/file/file-store.ts';
import { tempDir } from '../helpers/env.ts';
import { projectObjects, skipReason, testHost, writeComposeRepo } from './host.ts';

/**
 * Hostile inputs through everything that reaches the host: repo file names, the compose_file input, labels
 * (owner scope, extra labels), the snapshot name, the compose command, the VM input. Each payload would create a
 * marker file if any shell ever evaluated it; the test shows no marker appears and nothing lands outside the
 * sandbox directory.
 */
const tmp = tempDir('sbx-hostile-');
const marker = join(tmp.dir, 'PWNED');
const payloads = [
  `$(touch ${marker})`,
  `\`touch ${marker}\``,
  `'; touch ${marker}; '`,
  `"; touch ${marker}; "`,
  `x\ntouch ${marker}`,
  `; touch ${marker} #`,
  `| touch ${marker}`,
  `&& touch ${marker}`,
  `\\'$(touch ${marker})\\'`,
];

describe('shQuote', () => {
  it('round-trips every payload through a real POSIX shell unchanged, executing nothing', () => {
    for (const p of [...payloads, '', "'", "''", '\\', '$HOME', '*', '-n', 'a b\tc']) {
      const out = execFileSync('sh', ['-c', `printf '%s' ${shQuote(p)}`], { encoding: 'utf8' });
      expect(out).toBe(p);
    }
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses a NUL byte instead of truncating', () => {
    expect(() => shQuote('a\0b')).toThrow(/NUL/);
  });
});

describe('a handle that names a directory we did not make', () => {
  it('is refused before anything reaches a host (teardown removes that directory)', async () => {
    const catalog = loadCatalog();
    const manifest = catalog.extensions.get('ext.compose-ssh')!.value;
    const ext = defaultRegistry().get(manifest);
    const m = new SandboxManager({
      catalog,
      registry: defaultRegistry(),
      store: new FileStateStore(join(tmp.dir, 'state-refuse')),
      owner: { scope: 'test:refuse' },
      env: {},
    });
    const ctx = await m.contextFor(manifest);
    const base = {
      ssh_host: '127.0.0.1',
      ssh_port: 1,
      ssh_user: 'root',
      connected: true,
    };
    for (const [dir, project] of [
      ['/', 'sbx-aaaaaaaaaaaa'],
      ['/home/user', 'user'],
      ['/var/tmp/sandboxer/../../etc/sbx-aaaaaaaaaaaa', 'sbx-aaaaaaaaaaaa'],
      ['/var/tmp/sandboxer/sbx-aaaaaaaaaaaa', 'sbx-bbbbbbbbbbbb'],
    ]) {
      const sandbox = { handle: { ...base, dir: dir!, project: project! } } as never;
      await expect(ext.teardown({ ...ctx, sandbox })).rejects.toMatchObject({
        retryable: false,
        message: expect.stringMatching(/refusing to act/),
      });
    }
  });
});

const reason = skipReason();
const suite = reason ? describe.skip : describe;

suite(`hostile inputs against the real host${reason ? ` (skipped: ${reason})` : ''}`, () => {
  const env: NodeJS.ProcessEnv = {};
  const catalog = loadCatalog();
  const registry = defaultRegistry();
  let m: SandboxManager;
  const base = join(tmp.dir, 'host');

  beforeAll(() => {
    const h = testHost();
    Object.assign(env, h.env, {
      SANDBOXER_STATE_DIR: join(tmp.dir, 'state'),
      SANDBOXER_BASE_DIR: base,
      SANDBOXER_VM_WORKSPACE_ROOT: join(tmp.dir, 'build'),
      SANDBOXER_SCOPE: `test:${payloads[0]}${payloads[2]}`,
    });
    m = new SandboxManager({
      catalog,
      registry,
      store: new FileStateStore(join(tmp.dir, 'state')),
      owner: { scope: env.SANDBOXER_SCOPE! },
      env,
    });
  });
  afterAll(() => tmp.cleanup());

  it('compose-ssh: hostile file names, compose_file, labels and snapshot name execute nothing', async () => {
    const h = testHost();
    const repo = join(tmp.dir, 'repo');
    writeComposeRepo(repo, h.image);
    const names = payloads.map((p) => p.replace(/\//g, '∕')); // a file name cannot hold '/'
    for (const n of names) writeFileSync(join(repo, n), n);
    const composeName = `${names[0]}${names[2]}.yml`;
    writeFileSync(join(repo, composeName), readFileSync(join(repo, 'docker-compose.yml')));

    const r = await m.create({
      profileId: 'profile.compose-e2e',
      inputs: { repo, compose_file: composeName },
      labels: Object.fromEntries(payloads.map((p, i) => [`evil.${i}`, p])),
      ttl: '10m',
    });
    expect(r.state).toBe('ready');
    const workspace = join(base, r.id, 'repo');
    // Every hostile name arrived as exactly that name, inside the workspace.
    expect(readdirSync(workspace).sort()).toEqual(
      [
        ...names,
        composeName,
        'docker-compose.yml',
        'README.md',
        '.sandboxer.override.json',
        '.sandboxer.compose.json',
      ].sort(),
    );
    for (const n of names) expect(readFileSync(join(workspace, n), 'utf8')).toBe(n);
    // Labels went through as data.
    const { ext, manifest } = m.extensionFor(r);
    const [obj] = await ext.list!(await m.contextFor(manifest), { 'io.sandboxer.sandbox-id': r.id });
    expect(obj!.labels['evil.4']).toBe(payloads[4]);
    expect(obj!.labels['io.sandboxer.scope']).toBe(env.SANDBOXER_SCOPE);

    // A name is never a path nor a line (#15): those are refused; every other shell payload is plain data.
    await expect(m.snapshot(r.id, payloads.join(''))).rejects.toMatchObject({ code: 'usage' });
    const snap = await m.snapshot(
      r.id,
      names
        .filter((n) => !n.includes('\n'))
        .join('')
        .slice(0, 200),
    );
    await m.destroy(r.id);
    expect(projectObjects(h, r.id)).toEqual([]);
    expect(existsSync(join(base, r.id))).toBe(false);
    await ext.deleteSnapshot!(await m.contextFor(manifest), snap);
    expect(existsSync(marker)).toBe(false);
    // Nothing was created next to the sandbox directories but the snapshots store and the repo cache.
    expect(readdirSync(base).filter((f) => f !== '.snapshots' && f !== '.cache')).toEqual([]);
  });

  it('compose-ssh: a compose_file that escapes the repo is refused before anything reaches the host', async () => {
    const repo = join(tmp.dir, 'repo');
    for (const bad of ['../../../etc/passwd', '/etc/passwd', 'a/../../x.yml', `ok.yml\ntouch ${marker}`]) {
      await expect(
        m.create({ profileId: 'profile.compose-e2e', inputs: { repo, compose_file: bad } }),
      ).rejects.toMatchObject({ code: 'usage' });
    }
    expect(existsSync(marker)).toBe(false);
  });

  it('compose-ssh: a hostile SANDBOXER_COMPOSE_CMD is split into quoted words, never run as shell', async () => {
    const repo = join(tmp.dir, 'repo');
    const saved = env.SANDBOXER_COMPOSE_CMD;
    env.SANDBOXER_COMPOSE_CMD = `podman-compose; touch ${marker}`;
    try {
      await expect(m.create({ profileId: 'profile.compose-e2e', inputs: { repo } })).rejects.toMatchObject({
        code: 'backend',
        retryable: false,
      });
    } finally {
      env.SANDBOXER_COMPOSE_CMD = saved;
    }
    expect(existsSync(marker)).toBe(false);
  });

  it('vm-packer: hostile repo names stay in the workspace; a hostile vm input is refused', async () => {
    const repo = join(tmp.dir, 'vm-repo');
    mkdirSync(repo, { recursive: true });
    const names = payloads.map((p) => p.replace(/\//g, '∕'));
    for (const n of names) writeFileSync(join(repo, n), n);
    const r = await m.create({ profileId: 'profile.vm-haskell-build', inputs: { repo } });
    const ws = join(tmp.dir, 'build', r.id);
    expect(readdirSync(ws).sort()).toEqual([...names].sort());
    await m.destroy(r.id);
    expect(existsSync(ws)).toBe(false);

    const saved = env.SANDBOXER_HOST;
    delete env.SANDBOXER_HOST;
    try {
      for (const vm of [`127.0.0.1;touch ${marker}`, `$(touch ${marker})`, `a b`]) {
        await expect(
          m.create({ profileId: 'profile.vm-haskell-build', inputs: { repo, vm } }),
        ).rejects.toMatchObject({ code: 'usage' });
      }
    } finally {
      env.SANDBOXER_HOST = saved;
    }
    expect(existsSync(marker)).toBe(false);
  });
});
