import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Endpoint } from '../../src/extensions/contract.ts';
import { openStateStore } from '../../src/state/open.ts';
import { cli, cliArgs, json, REPO_ROOT } from '../helpers/cli.ts';
import { tempDir } from '../helpers/env.ts';
import { cliComposeSandbox, skipReason, testHost } from './host.ts';

/** exec, logs, cp, ports and url as a user types them, against a compose-ssh sandbox on the loopback host. */
const reason = skipReason();
const suite = reason ? describe.skip : describe;

suite(`sandboxer exec / logs / cp / ports / url${reason ? ` (skipped: ${reason})` : ''}`, () => {
  const tmp = tempDir('sbx-cli-access-');
  let env: NodeJS.ProcessEnv = {};
  let id = '';
  let created = { stdout: '', stderr: '' };
  beforeAll(async () => {
    env = {
      ...testHost().env,
      SANDBOXER_STATE_DIR: join(tmp.dir, 'state'),
      SANDBOXER_BASE_DIR: join(tmp.dir, 'host'),
      // A mux agent of the code under test, not one another checkout's CLI started for the same host and key.
      SANDBOXER_SSH_MUX_DIR: join(tmp.dir, 'mux'),
    };
    ({ id, created } = await cliComposeSandbox(tmp.dir, env));
  });
  afterAll(async () => {
    if (id) await cli(['destroy', id], env);
    tmp.cleanup();
  });

  it('exec streams output and passes the exit code through', async () => {
    const r = await cli(
      ['exec', id, '--service', 'web', '--', 'sh', '-c', 'echo hi; echo oops >&2; exit 7'],
      env,
    );
    expect(r.code).toBe(7);
    expect(r.stdout).toBe('hi\n');
    expect(r.stderr).toContain('oops\n');
    const ws = await cli(['exec', id, '--', 'ls'], env);
    expect(ws.code).toBe(0);
    expect(ws.stdout).toContain('docker-compose.yml');
  });

  it('ports and url name the published port; the URL answers', async () => {
    const eps = json<Endpoint[]>(await cli(['ports', id, '--json'], env));
    expect(eps.find((e) => e.service === 'web' && e.port === 8080)).toBeDefined();
    const u = await cli(['url', id, '--service', 'web', '--port', '8080'], env);
    expect(u.code).toBe(0);
    expect(await (await fetch(u.stdout.trim())).text()).toMatch(/hello-from-web/);
    const none = await cli(['url', id, '--port', '9'], env);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/its endpoints: web:8080/);
  });

  it("logs shows a service's output", async () => {
    const r = await cli(['logs', id, '--service', 'web', '--tail', '20'], env);
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/web-started/);
    const all = await cli(['logs', id], env);
    expect(all.stdout).toMatch(/^web \| web-started$/m);
  });

  it('cp copies a directory in and back out', async () => {
    const src = join(tmp.dir, 'payload');
    mkdirSync(join(src, 'nested'), { recursive: true });
    writeFileSync(join(src, 'nested', 'a.txt'), 'payload-a\n');
    expect((await cli(['cp', src, `${id}:in`], env)).code).toBe(0);
    expect((await cli(['exec', id, '--', 'cat', 'in/nested/a.txt'], env)).stdout).toBe('payload-a\n');
    const back = join(tmp.dir, 'back');
    const r = await cli(['cp', `${id}:in`, back], env);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(back, 'nested', 'a.txt'), 'utf8')).toBe('payload-a\n');
    const bad = await cli(['cp', src, back], env);
    expect(bad.code).toBe(2);
  });

  it('cp --service copies a file and a directory into a service container (podman cp)', async () => {
    const src = join(tmp.dir, 'svc');
    mkdirSync(join(src, 'sub'), { recursive: true });
    writeFileSync(join(src, 'sub', 'b.txt'), 'payload-b\n');
    writeFileSync(join(src, 'one.txt'), 'payload-one\n');
    for (const env2 of [env, { ...env, SANDBOXER_SYSTEM_TAR: '0' }]) {
      const file = await cli(['cp', '--service', 'web', join(src, 'one.txt'), `${id}:/tmp/svc-in`], env2);
      expect(file.code, file.stderr).toBe(0);
      const dir = await cli(['cp', '--service', 'web', src, `${id}:/tmp/svc-in`], env2);
      expect(dir.code, dir.stderr).toBe(0);
      const r = await cli(
        [
          'exec',
          id,
          '--service',
          'web',
          '--',
          'sh',
          '-c',
          'cat /tmp/svc-in/one.txt /tmp/svc-in/sub/b.txt; rm -rf /tmp/svc-in',
        ],
        env2,
      );
      expect(r.stdout).toBe('payload-one\npayload-b\n');
    }
  });

  it('progress lines go to stderr, never into the --json document on stdout', async () => {
    // create --json (beforeAll): stdout parsed as one record; the repo transfer's lines are on stderr.
    expect(created.stderr).toMatch(/^sent the repo: \d+\.\d MB \(tar\)$/m);
    expect(created.stdout).not.toContain('sent the repo');
    const src = join(tmp.dir, 'progress.bin');
    writeFileSync(src, Buffer.alloc(256 * 1024, 7));
    const r = await cli(['cp', src, `${id}:progress`, '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ copied: { from: src, to: `${id}:progress` } });
    expect(r.stderr).toMatch(new RegExp(`^copied 0\\.\\d MB \\(tar\\) into ${id}:progress$`, 'm'));
    const quiet = await cli(['cp', src, `${id}:progress`, '--quiet'], env);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).not.toContain('copied');
  });

  it('exec, ports and cp refuse a sandbox that is not ready, and name an unknown one', async () => {
    // The access verbs read the record without building the whole manager (openAccessSource): the same checks.
    const store = openStateStore(env);
    const failed = 'sbx-notready0001';
    await store.createSandbox({ ...(await store.getSandbox(id))!, id: failed, state: 'failed' });
    await store.close?.();
    for (const argv of [
      ['exec', failed, '--', 'true'],
      ['ports', failed],
      ['cp', join(tmp.dir, 'repo'), `${failed}:x`],
    ]) {
      const r = await cli(argv, env);
      expect(r.code, argv.join(' ')).toBe(1);
      expect(r.stderr).toContain(`sandbox ${failed} is failed; only a ready sandbox can be used`);
    }
    const missing = await cli(['exec', 'sbx-missing00001', '--json', '--', 'true'], env);
    expect(missing.code).toBe(1);
    expect(json<{ error: { code: string } }>(missing).error.code).toBe('not_found');
  });

  it('Ctrl-C ends the remote command and exits 130', async () => {
    const child = spawn(process.execPath, cliArgs(['exec', id, '--service', 'web', '--', 'sleep', '317']), {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
    });
    // Give it time to start the remote command.
    await new Promise((res) => setTimeout(res, 4000));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((res) => child.on('close', res));
    expect(code).toBe(130);
    const ps = await cli(['exec', id, '--service', 'web', '--', 'ps'], env);
    expect(ps.stdout).not.toMatch(/sleep 317/);
  });
});
