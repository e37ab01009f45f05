import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/env.ts';
import { cliComposeSandbox, skipReason, testHost } from './host.ts';

/**
 * The warm exec path (src/cli/exec-route/) on the real sshd + podman host. To tell which path an exec took, the
 * record's body is made unreadable while its revision and state columns stay as they were: the full path reads
 * (and validates) the body and fails, the warm path checks only revision and state. So an exec that still works
 * took the warm path, and one that fails with the full path's error did not.
 */
const reason = skipReason();
const suite = reason ? describe.skip : describe;

suite(`warm exec route${reason ? ` (skipped: ${reason})` : ''}`, () => {
  const tmp = tempDir('sbx-exec-route-');
  const mux = join(tmp.dir, 'mux');
  const catalog = join(tmp.dir, 'catalog');
  const knownHosts = join(tmp.dir, 'known_hosts');
  let env: NodeJS.ProcessEnv = {};
  let id = '';
  let body = '';
  const db = () => new DatabaseSync(join(tmp.dir, 'state', 'state.db'));
  const sql = (q: string, ...params: (string | number)[]) => {
    const d = db();
    try {
      d.prepare(q).run(...params);
    } finally {
      d.close();
    }
  };
  const breakBody = () => sql('UPDATE sandboxes SET body = ? WHERE id = ?', '{"unreadable":true}', id);
  const restoreBody = () => sql('UPDATE sandboxes SET body = ? WHERE id = ?', body, id);
  const routes = () => readdirSync(mux).filter((f) => f.startsWith('exec-') && f.endsWith('.json'));
  const say = (e: NodeJS.ProcessEnv = env) =>
    cli(['exec', id, '--service', 'web', '--', 'sh', '-c', 'echo warm-or-not; exit 5'], e);

  beforeAll(async () => {
    mkdirSync(join(catalog, 'profiles'), { recursive: true });
    mkdirSync(join(catalog, 'extensions'), { recursive: true });
    copyFileSync(testHost().knownHosts, knownHosts);
    env = {
      ...testHost().env,
      SANDBOXER_STATE_DIR: join(tmp.dir, 'state'),
      SANDBOXER_BASE_DIR: join(tmp.dir, 'host'),
      SANDBOXER_SSH_MUX_DIR: mux,
      SANDBOXER_CATALOG_PATH: catalog,
      SANDBOXER_KNOWN_HOSTS: knownHosts,
    };
    ({ id } = await cliComposeSandbox(tmp.dir, env));
    const d = db();
    body = (d.prepare('SELECT body FROM sandboxes WHERE id = ?').get(id) as { body: string }).body;
    d.close();
  });
  afterAll(async () => {
    if (body) restoreBody();
    if (id) await cli(['destroy', id], env);
    tmp.cleanup();
  });

  /** Full path (writes the route), then the change, then an exec that must not be warm; then the change undone. */
  async function missesAfter(
    change: () => void,
    undo: () => void = () => undefined,
    e: NodeJS.ProcessEnv = env,
  ): Promise<void> {
    restoreBody();
    expect((await say()).code).toBe(5);
    change();
    breakBody();
    const r = await say(e);
    undo();
    expect(r.stdout).toBe('');
    expect(r.code).not.toBe(5);
    expect(r.stderr).toMatch(/^error: /m);
  }

  it('an exec keeps a route (no secret in it), and the next exec of that sandbox takes it', async () => {
    restoreBody();
    const first = await say();
    expect([first.code, first.stdout]).toEqual([5, 'warm-or-not\n']);
    expect(routes()).toHaveLength(1);
    const file = join(mux, routes()[0]!);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    const key = String(env.SANDBOXER_SSH_KEY);
    for (const line of key.split('\n').filter((l) => l.length > 20)) expect(text).not.toContain(line);

    breakBody();
    const warm = await say();
    expect([warm.code, warm.stdout]).toEqual([5, 'warm-or-not\n']);
    // Output and stdin-free commands in the workspace form too: `--` with arguments that look like options.
    const args = await cli(['exec', id, '--service', 'web', '--', 'echo', '--json', '-v'], env);
    expect([args.code, args.stdout]).toEqual([0, '--json -v\n']);
    // Any other form of the command takes the full path (which cannot read the broken record).
    for (const argv of [
      ['exec', id, '--service', 'web', '--json', '--', 'true'],
      ['exec', id, '--service', 'web', '--env', 'A=1', '--', 'true'],
      ['exec', id, '-v', '--service', 'web', '--', 'true'],
    ]) {
      const r = await cli(argv, env);
      expect(r.code, argv.join(' ')).not.toBe(0);
    }
    // SANDBOXER_SSH_MUX=0 turns the warm path off with the agent.
    expect((await say({ ...env, SANDBOXER_SSH_MUX: '0' })).stdout).toBe('');
  });

  it('a route is not taken once the record, the environment, the catalog or known_hosts changed', async () => {
    await missesAfter(
      () => sql('UPDATE sandboxes SET revision = revision + 1 WHERE id = ?', id),
      () => sql('UPDATE sandboxes SET revision = revision - 1 WHERE id = ?', id),
    );
    await missesAfter(
      () => undefined,
      () => undefined,
      { ...env, SOME_NEW_VARIABLE: '1' },
    );
    const added = join(catalog, 'profiles', 'profile.added.yaml');
    await missesAfter(
      () => writeFileSync(added, 'id: profile.added\n'),
      () => rmSync(added),
    );
    await missesAfter(() => writeFileSync(knownHosts, `${readFileSync(knownHosts, 'utf8')}# edited\n`));
    await missesAfter(
      () => sql("UPDATE sandboxes SET state = 'failed' WHERE id = ?", id),
      () => sql("UPDATE sandboxes SET state = 'ready' WHERE id = ?", id),
    );
    // A new agent socket path (no agent listening there) is a miss too, not an error.
    restoreBody();
    expect((await say()).code).toBe(5);
    const file = join(mux, routes()[0]!);
    const route = JSON.parse(readFileSync(file, 'utf8')) as { socket: string };
    writeFileSync(file, JSON.stringify({ ...route, socket: join(mux, 'gone.sock') }));
    breakBody();
    expect((await say()).stdout).toBe('');
    restoreBody();
    expect((await say()).code).toBe(5);
  });
});
