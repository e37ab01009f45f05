import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCatalog, type Catalog } from '../../src/catalog/loader.ts';
import type { Profile } from '../../src/catalog/schema.ts';
import { WaitStrategy } from '../../src/catalog/schema.ts';
import { defaultRegistry } from '../../src/extensions/registry.ts';
import { SandboxAccess } from '../../src/manager/access.ts';
import { SandboxManager } from '../../src/manager/manager.ts';
import { FileStateStore } from '../../src/state/file/file-store.ts';
import { collect } from '../conformance/suite.ts';
import { tempDir } from '../helpers/env.ts';
import { projectObjects, skipReason, testHost, writeComposeRepo } from './host.ts';

/**
 * Using compose-ssh sandboxes on the real loopback host: two stacks with one fixed host port side by side, the
 * profile's wait strategies, a crashing service's last words, and Ctrl-C ending a remote command.
 */
const reason = skipReason();
const suite = reason ? describe.skip : describe;

suite(`using compose-ssh sandboxes${reason ? ` (skipped: ${reason})` : ''}`, () => {
  const tmp = tempDir('sbx-access-');
  afterAll(() => tmp.cleanup());

  function catalogWith(patch: Partial<Profile>): Catalog {
    const catalog = loadCatalog();
    const entry = catalog.profiles.get('profile.compose-e2e')!;
    catalog.profiles.set('profile.compose-e2e', { ...entry, value: { ...entry.value, ...patch } });
    return catalog;
  }

  function manager(catalog: Catalog = loadCatalog()): SandboxManager {
    const h = testHost();
    return new SandboxManager({
      catalog,
      registry: defaultRegistry(),
      store: new FileStateStore(join(tmp.dir, 'state')),
      owner: { scope: 'test:access' },
      env: { ...h.env, SANDBOXER_BASE_DIR: join(tmp.dir, 'host') },
    });
  }

  const repo = (name: string, opts: Parameters<typeof writeComposeRepo>[2] = {}) => {
    const dir = join(tmp.dir, name);
    writeComposeRepo(dir, testHost().image, opts);
    return dir;
  };

  it('runs two sandboxes of one stack with a fixed host port side by side, each at its own URL', async () => {
    const m = manager();
    const access = new SandboxAccess(m);
    const dir = repo('twin');
    const [a, b] = await Promise.all([
      m.create({ profileId: 'profile.compose-e2e', inputs: { repo: dir }, ttl: '10m' }),
      m.create({ profileId: 'profile.compose-e2e', inputs: { repo: dir }, ttl: '10m' }),
    ]);
    try {
      const [ea, eb] = await Promise.all([access.endpoints(a.id), access.endpoints(b.id)]);
      const wa = ea.find((e) => e.service === 'web' && e.port === 8080)!;
      const wb = eb.find((e) => e.service === 'web' && e.port === 8080)!;
      expect(wa.host_port).not.toBe(wb.host_port);
      for (const w of [wa, wb]) expect(await (await fetch(w.url!)).text()).toMatch(/hello-from-web/);
    } finally {
      await Promise.all([m.destroy(a.id), m.destroy(b.id)]);
    }
  });

  it("waits for the profile's http, log, port and command checks before ready", async () => {
    const wait = [
      { type: 'port', service: 'web', port: 8080 },
      { type: 'http', service: 'web', port: 8080, path: '/index.html', status: 200 },
      { type: 'log', service: 'web', pattern: '^web-started$' },
      { type: 'command', service: 'web', command: 'test -f /tmp/ready' },
    ].map((w) => WaitStrategy.parse(w));
    const m = manager(catalogWith({ wait }));
    const r = await m.create({
      profileId: 'profile.compose-e2e',
      inputs: { repo: repo('waits') },
      ttl: '10m',
    });
    expect(r.state).toBe('ready');
    await m.destroy(r.id);
  });

  it('fails a wait that never passes within its bound, with the reason, and leaves nothing behind', async () => {
    const wait = [
      WaitStrategy.parse({ type: 'log', service: 'web', pattern: 'never-printed', timeout: '3s' }),
    ];
    const m = manager(catalogWith({ wait }));
    const err = await m
      .create({ profileId: 'profile.compose-e2e', inputs: { repo: repo('nowait') }, ttl: '10m' })
      .catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/wait for log \/never-printed\/ on web did not pass within 3s/);
    const failed = (await m.list({ state: ['failed'] })).at(-1)!;
    expect(projectObjects(testHost(), failed.id)).toEqual([]);
  });

  it('fails at once when a service crashes at start, quoting its last log lines', async () => {
    const dir = repo('crash');
    writeFileSync(
      join(dir, 'docker-compose.yml'),
      JSON.stringify({
        services: {
          web: {
            image: testHost().image,
            command: ['sh', '-c', 'printf "config %s: DATABASE_URL\\n" missing >&2; exit 3'],
          },
        },
      }),
    );
    const m = manager();
    const err = await m
      .create({ profileId: 'profile.compose-e2e', inputs: { repo: dir }, ttl: '10m' })
      .catch((e: Error) => e);
    expect((err as Error).message).toMatch(/service web exited \(exit code 3\)/);
    expect((err as Error).message).toMatch(/config missing: DATABASE_URL/);
  });

  it('ends the remote command when the caller aborts (Ctrl-C), and refuses a hostile service name', async () => {
    const m = manager();
    const access = new SandboxAccess(m);
    const r = await m.create({
      profileId: 'profile.compose-e2e',
      inputs: { repo: repo('cancel') },
      ttl: '10m',
    });
    try {
      const ctl = new AbortController();
      const pending = access.exec(r.id, { service: 'web', argv: ['sleep', '313'] }, collect(), {
        signal: ctl.signal,
      });
      await new Promise((res) => setTimeout(res, 1500));
      ctl.abort();
      await expect(pending).rejects.toMatchObject({ code: 'cancelled' });
      const ps = collect();
      await access.exec(r.id, { service: 'web', shell: 'ps' }, ps);
      expect(ps.out()).not.toMatch(/sleep 313/);
      await expect(
        access.exec(r.id, { service: "web'; touch /tmp/x; '", argv: ['true'] }, collect()),
      ).rejects.toMatchObject({ code: 'usage' });
      await expect(access.exec(r.id, { service: 'nosuch', argv: ['true'] }, collect())).rejects.toMatchObject(
        {
          code: 'usage',
        },
      );
    } finally {
      await m.destroy(r.id);
    }
  });
});
