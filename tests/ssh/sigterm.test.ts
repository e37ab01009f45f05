import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStateStore } from '../../src/state/open.ts';
import { cliArgs, REPO_ROOT } from '../helpers/cli.ts';
import { tempDir } from '../helpers/env.ts';
import { projectObjects, skipReason, testHost, writeComposeRepo } from './host.ts';

/**
 * SIGTERM to a real `sandboxer create` process while it provisions on the real host: the CLI cancels, tears
 * down what it made and records `failed`; nothing of the sandbox is left on the host.
 */
const reason = skipReason();
const suite = reason ? describe.skip : describe;

async function createAndTerm(
  args: string[],
  env: NodeJS.ProcessEnv,
  stateDir: string,
): Promise<{ code: number | null; id: string; stderr: string }> {
  const child = spawn(process.execPath, cliArgs(args), { cwd: REPO_ROOT, env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const store = openStateStore({ SANDBOXER_STATE_DIR: stateDir });
  let id = '';
  // Wait (bounded) until the sandbox exists on the host: the handle says a connection was made.
  for (let i = 0; i < 600 && !id; i++) {
    const live = existsSync(stateDir) ? await store.listSandboxes() : [];
    id = live.find((r) => r.state === 'provisioning' && r.handle.connected === true)?.id ?? '';
    if (!id) await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGTERM');
  const code = await exited;
  if (!id) throw new Error(`the create never reached the host:\n${stderr}`);
  return { code, id, stderr };
}

suite(`SIGTERM during provision${reason ? ` (skipped: ${reason})` : ''}`, () => {
  const tmp = tempDir('sbx-sigterm-');
  afterAll(() => tmp.cleanup());

  it('compose-ssh: nothing is left on the host and the record is failed', async () => {
    const h = testHost();
    const repo = join(tmp.dir, 'repo');
    writeComposeRepo(repo, h.image, { healthyAfter_s: 120 });
    const stateDir = join(tmp.dir, 'state-compose');
    const base = join(tmp.dir, 'host');
    const env = { ...h.env, SANDBOXER_STATE_DIR: stateDir, SANDBOXER_BASE_DIR: base };
    const { code, id, stderr } = await createAndTerm(
      ['create', '--profile', 'profile.compose-e2e', '--input', `repo=${repo}`, '--json'],
      env,
      stateDir,
    );
    expect(code, stderr).not.toBe(0);
    const record = await openStateStore({ SANDBOXER_STATE_DIR: stateDir }).getSandbox(id);
    expect(record?.state).toBe('failed');
    expect(record?.error?.code).toBe('cancelled');
    expect(record?.cleanup_pending).toBe(false);
    expect(projectObjects(h, id)).toEqual([]);
    expect(existsSync(join(base, id))).toBe(false);
    // And none appears later: a `compose up` that the teardown raced went on to create the services' containers
    // seconds after it (podman-compose starts one a second).
    await new Promise((r) => setTimeout(r, 6000));
    expect(projectObjects(h, id)).toEqual([]);
  }, 180_000);

  it('vm-packer: the workspace is removed and the record is failed', async () => {
    const h = testHost();
    const repo = join(tmp.dir, 'vm-repo');
    mkdirSync(repo, { recursive: true });
    writeFileSync(join(repo, 'Main.hs'), 'main = pure ()\n');
    const stateDir = join(tmp.dir, 'state-vm');
    const root = join(tmp.dir, 'build');
    const env = {
      ...h.env,
      SANDBOXER_STATE_DIR: stateDir,
      SANDBOXER_VM_WORKSPACE_ROOT: root,
      SANDBOXER_VM_READY_CHECK: 'sleep 120',
    };
    const { code, id, stderr } = await createAndTerm(
      ['create', '--profile', 'profile.vm-haskell-build', '--input', `repo=${repo}`, '--json'],
      env,
      stateDir,
    );
    expect(code, stderr).not.toBe(0);
    const record = await openStateStore({ SANDBOXER_STATE_DIR: stateDir }).getSandbox(id);
    expect(record?.state).toBe('failed');
    expect(record?.cleanup_pending).toBe(false);
    expect(existsSync(join(root, id))).toBe(false);
    expect(existsSync(join(root, '.sandboxer', `${id}.json`))).toBe(false);
  }, 120_000);
});
