import { mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManager } from '../../src/manager/factory.ts';
import type { SandboxManager } from '../../src/manager/manager.ts';
import { findStale } from '../../src/reaper/stale.ts';
import { reapStale } from '../../src/reaper/reap.ts';
import { cliSync, json } from '../helpers/cli.ts';
import { tempDir } from '../helpers/env.ts';
import { PG_SKIP_REASON, startPg, type PgServer } from '../state/pg-server.ts';
import { HAVE_PG } from '../state/stores.ts';
import { projectObjects, skipReason, testHost, writeComposeRepo } from './host.ts';

/**
 * A hostile tenant on the loopback host (#15): a compose file that mounts the host or the base directory is
 * refused before anything is written; workspaces and the repo cache are closed to other users; a second
 * installation (another state store) on the same host never reaps the first one's live sandbox.
 */
const reason = skipReason();
const suite = reason ? describe.skip : describe;

suite(`isolation on the real host${reason ? ` (skipped: ${reason})` : ''}`, () => {
  const tmp = tempDir('sbx-isolation-');
  const base = join(tmp.dir, 'host');
  const envFor = (state: string): NodeJS.ProcessEnv => ({
    ...testHost().env,
    USER: 'tester',
    SANDBOXER_STATE_DIR: join(tmp.dir, state),
    SANDBOXER_BASE_DIR: base,
    SANDBOXER_VM_WORKSPACE_ROOT: join(tmp.dir, 'build'),
  });
  const managerFor = (state: string): SandboxManager => createManager({ env: envFor(state) });
  let a: SandboxManager;
  beforeAll(() => {
    testHost();
    a = managerFor('state-a');
  });
  afterAll(() => tmp.cleanup());

  it('a compose file that reaches outside its workspace is refused before any record or host directory', async () => {
    const h = testHost();
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['up', { volumes: ['../..:/base'] }, /service worker: volumes '\.\.\/\.\.' leaves the workspace/],
      ['root', { volumes: ['/:/host'] }, /service worker: volumes '\/' is an absolute host path/],
      ['link', { volumes: ['./escape:/host'] }, /symbolic link that leads outside/],
      ['priv', { privileged: true }, /service worker: privileged/],
      ['net', { network_mode: 'host' }, /service worker: network_mode/],
      ['caps', { cap_add: ['SYS_ADMIN'] }, /service worker: cap_add/],
    ];
    for (const [name, extra, message] of cases) {
      const repo = join(tmp.dir, `bad-${name}`);
      writeComposeRepo(repo, h.image);
      symlinkSync('/', join(repo, 'escape'));
      const compose = JSON.stringify({
        services: { worker: { image: h.image, command: ['sleep', '3600'], ...extra } },
      });
      writeFileSync(join(repo, 'docker-compose.yml'), compose);
      await expect(
        a.create({ profileId: 'profile.compose-e2e', inputs: { repo }, ttl: '10m' }),
      ).rejects.toMatchObject({ code: 'validation', exitCode: 2, message });
    }
    // A compose_file that leaves the repo is refused before any record as well.
    for (const compose_file of ['../x.yml', '/etc/passwd', 'a/../../x.yml']) {
      await expect(
        a.create({
          profileId: 'profile.compose-e2e',
          inputs: { repo: join(tmp.dir, 'bad-up'), compose_file },
        }),
      ).rejects.toMatchObject({ code: 'usage', exitCode: 2 });
    }
    expect(await a.store.listSandboxes()).toEqual([]);
    expect(readdirSync(tmp.dir)).not.toContain('host');
  });

  it('the workspace, its meta and the repo cache are 0700; the cached tar is read-only', async () => {
    const repo = join(tmp.dir, 'repo');
    writeComposeRepo(repo, testHost().image);
    mkdirSync(join(repo, 'data'));
    const r = await a.create({ profileId: 'profile.compose-e2e', inputs: { repo }, ttl: '10m' });
    expect(r.state).toBe('ready');
    const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);
    for (const d of [
      join(base, r.id),
      join(base, r.id, 'repo'),
      join(base, r.id, 'meta'),
      join(base, '.cache'),
    ]) {
      expect(mode(d), d).toBe('700');
    }
    const tars = readdirSync(join(base, '.cache')).filter((f) => f.endsWith('.tar'));
    expect(tars.length).toBe(1);
    expect(mode(join(base, '.cache', tars[0]!))).toBe('400');
    await a.destroy(r.id);
  });

  it('a vm-packer workspace is 0700', async () => {
    const repo = join(tmp.dir, 'vm-repo');
    mkdirSync(repo, { recursive: true });
    writeFileSync(join(repo, 'secret.txt'), 'x');
    const r = await a.create({ profileId: 'profile.vm-haskell-build', inputs: { repo } });
    expect((statSync(join(tmp.dir, 'build', r.id)).mode & 0o777).toString(8)).toBe('700');
    await a.destroy(r.id);
  });

  it("another state store's reaper shows the live sandbox as foreign and leaves it alone", async () => {
    const repo = join(tmp.dir, 'repo');
    const r = await a.create({ profileId: 'profile.compose-e2e', inputs: { repo }, ttl: '10m' });
    const b = managerFor('state-b');
    expect([a.store.kind, b.store.kind]).toEqual(['sqlite', 'sqlite']);
    expect(b.owner.scope).not.toBe(a.owner.scope);
    expect(r.owner.scope).toBe(a.owner.scope);

    const seen = await findStale(b, { minOrphanAge_s: 0, extensions: ['ext.compose-ssh'] });
    expect(seen.items.filter((i) => i.sandbox_id === r.id)).toEqual([]);
    expect(seen.foreign).toContainEqual(expect.objectContaining({ kind: 'foreign', sandbox_id: r.id }));

    const reaped = await reapStale(b, {
      apply: true,
      minOrphanAge_s: 0,
      extensions: ['ext.compose-ssh'],
      replayOutbox: false,
    });
    expect(reaped.actions.filter((x) => x.sandbox_id === r.id)).toEqual([]);
    expect(projectObjects(testHost(), r.id).length).toBeGreaterThan(0);
    expect(statSync(join(base, r.id)).isDirectory()).toBe(true);

    // The CLI of the second installation says so too.
    const inspected = cliSync(
      ['inspect', 'stale', '--json', '--min-orphan-age', '0', '--extension', 'ext.compose-ssh'],
      envFor('state-b'),
    );
    expect(inspected.code, inspected.stderr).toBe(0);
    const report = json<{
      items: { sandbox_id?: string }[];
      foreign: { kind: string; sandbox_id?: string }[];
    }>(inspected);
    expect(report.items.filter((i) => i.sandbox_id === r.id)).toEqual([]);
    expect(report.foreign).toContainEqual(expect.objectContaining({ kind: 'foreign', sandbox_id: r.id }));

    // Told --scope any, the same reaper would take it (a dry run here).
    const any = await findStale(b, { minOrphanAge_s: 0, extensions: ['ext.compose-ssh'], scope: 'any' });
    expect(any.items).toContainEqual(expect.objectContaining({ kind: 'orphaned', sandbox_id: r.id }));
    await a.destroy(r.id);
    expect(projectObjects(testHost(), r.id)).toEqual([]);
  });

  describe.skipIf(!HAVE_PG)(`on PostgreSQL${HAVE_PG ? '' : ` (skipped: ${PG_SKIP_REASON})`}`, () => {
    let pg: PgServer;
    const urls = new Map<string, string>();
    beforeAll(async () => {
      pg = await startPg();
      for (const db of ['team', 'other']) urls.set(db, pg.database(db));
    });
    afterAll(() => pg?.stop());
    const onPg = (db: string, user: string): SandboxManager =>
      createManager({
        env: { ...envFor(`pg-${db}-${user}`), USER: user, SANDBOXER_STATE_URL: urls.get(db)! },
      });

    it('a team on one database is one scope and reaps its orphans; another database is foreign', async () => {
      const repo = join(tmp.dir, 'repo-pg');
      writeComposeRepo(repo, testHost().image);
      const ann = onPg('team', 'ann');
      const bob = onPg('team', 'bob');
      const other = onPg('other', 'ann');
      expect(ann.store.kind).toBe('postgres');
      expect(bob.owner.scope).toBe(ann.owner.scope);
      expect(ann.owner.scope).toMatch(/^store:pg-[0-9a-f]{12}$/);
      expect(other.owner.scope).not.toBe(ann.owner.scope);

      const live = await ann.create({ profileId: 'profile.compose-e2e', inputs: { repo }, ttl: '10m' });
      // Bob's reaper reads Ann's record in the shared store: a live sandbox, neither orphaned nor foreign.
      const seen = await findStale(bob, { minOrphanAge_s: 0, extensions: ['ext.compose-ssh'] });
      expect(seen.items.filter((i) => i.sandbox_id === live.id)).toEqual([]);
      expect(seen.foreign.filter((i) => i.sandbox_id === live.id)).toEqual([]);
      // Another database's reaper sees it as foreign and leaves it, even applied with no minimum age.
      const foreign = await findStale(other, { minOrphanAge_s: 0, extensions: ['ext.compose-ssh'] });
      expect(foreign.foreign).toContainEqual(
        expect.objectContaining({ kind: 'foreign', sandbox_id: live.id }),
      );
      const untouched = await reapStale(other, {
        apply: true,
        minOrphanAge_s: 0,
        extensions: ['ext.compose-ssh'],
        replayOutbox: false,
      });
      expect(untouched.actions.filter((x) => x.sandbox_id === live.id)).toEqual([]);
      expect(projectObjects(testHost(), live.id).length).toBeGreaterThan(0);

      // A record lost from the team's database (a restore from an older backup): the stack is a team orphan,
      // and any member's reaper takes it.
      const { default: pgClient } = await import('pg');
      const client = new pgClient.Client({ connectionString: urls.get('team') });
      await client.connect();
      await client.query('DELETE FROM sandboxes WHERE id = $1', [live.id]);
      await client.end();
      const reaped = await reapStale(bob, {
        apply: true,
        minOrphanAge_s: 0,
        extensions: ['ext.compose-ssh'],
        replayOutbox: false,
      });
      expect(reaped.actions).toContainEqual(expect.objectContaining({ sandbox_id: live.id }));
      expect(projectObjects(testHost(), live.id)).toEqual([]);
    });
  });
});
