import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeE2bServer } from '../fakes/e2b-server.ts';
import { HangingProxy } from '../fakes/hanging-proxy.ts';
import { CLI_FROM_BUNDLE, cliArgs, cliSync, json, REPO_ROOT, type CliResult } from '../helpers/cli.ts';
import { tempDir } from '../helpers/env.ts';

/**
 * Every bound fires even after garbage collection (nodejs/node#57736) and a cancel ends a create at once, against
 * an E2B whose envd health probe never answers. The CLI runs as a real child process under `--expose-gc` with a
 * full GC every 20 ms; the SDK's own request timeout is set far beyond the bounds, so only ours can end it.
 */
const GC = fileURLToPath(new URL('../fixtures/gc-pressure.mjs', import.meta.url));
const HANG_LIMIT_MS = 45_000;
const tmp = tempDir('sbx-bounds-');
const fake = new FakeE2bServer();
const proxy = new HangingProxy('', (method, path) => method === 'GET' && path === '/health');
let env: NodeJS.ProcessEnv = {};

function profile(name: string, ready_timeout_s: number): void {
  writeFileSync(
    join(tmp.dir, 'catalog', 'profiles', `${name}.yaml`),
    [
      `id: ${name}`,
      'version: 1.0.0',
      'description: E2B with a bound under test',
      'extension: ext.e2b',
      'resources: { cpu: 2, memory_mib: 512 }',
      'ttl: { default: 30m, max: 1h }',
      `config: { template: base, ready_timeout_s: ${ready_timeout_s}, request_timeout_ms: 600000 }`,
      '',
    ].join('\n'),
  );
}

/** The CLI under GC pressure; killed (and reported as such) if it is still running after HANG_LIMIT_MS. */
function gcCli(
  args: string[],
  onSpawn?: (kill: (sig: NodeJS.Signals) => void) => void,
  extraEnv: NodeJS.ProcessEnv = {},
) {
  return new Promise<CliResult & { killed: boolean }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', GC, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env, ...extraEnv },
    });
    let stdout = '';
    let stderr = '';
    let killed = false;
    const limit = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, HANG_LIMIT_MS);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(limit);
      resolve({ code, stdout, stderr, killed });
    });
    onSpawn?.((sig) => child.kill(sig));
  });
}

beforeAll(async () => {
  await fake.start();
  (proxy as unknown as { target: string }).target = fake.url;
  await proxy.start();
  mkdirSync(join(tmp.dir, 'catalog', 'profiles'), { recursive: true });
  profile('profile.e2b-hang-short', 5);
  profile('profile.e2b-hang-long', 600);
  env = {
    ...fake.env(),
    E2B_API_URL: proxy.url,
    E2B_SANDBOX_URL: proxy.url,
    SANDBOXER_STATE_DIR: join(tmp.dir, 'state'),
    SANDBOXER_CATALOG_PATH: join(tmp.dir, 'catalog'),
  };
});
afterAll(async () => {
  await proxy.stop();
  await fake.stop();
  tmp.cleanup();
});

describe('bounds against a backend that never answers, under forced GC', () => {
  it('create ends at its ready bound (not the 45+ s it would hang), fails retryably and leaves nothing', async () => {
    const r = await gcCli(cliArgs(['create', '--profile', 'profile.e2b-hang-short', '--json']));
    expect(r.killed, `still running after ${HANG_LIMIT_MS} ms:\n${r.stderr}`).toBe(false);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/not ready within 5s/);
    expect(proxy.hung.length).toBeGreaterThan(0);
    const list = json<{ state: string; cleanup_pending?: boolean }[]>(
      cliSync(['list', '--all', '--profile', 'profile.e2b-hang-short', '--json'], env),
    );
    expect(list.map((s) => [s.state, s.cleanup_pending ?? false])).toEqual([['failed', false]]);
    expect(fake.sandboxes.size).toBe(0);
  });

  it('SIGTERM ends a create stuck on the backend promptly, with the sandbox torn down', async () => {
    const before = proxy.hung.length;
    const r = await gcCli(cliArgs(['create', '--profile', 'profile.e2b-hang-long', '--json']), (kill) => {
      const poll = setInterval(() => {
        if (proxy.hung.length > before) {
          clearInterval(poll);
          kill('SIGTERM');
        }
      }, 50);
    });
    expect(r.killed, `still running after ${HANG_LIMIT_MS} ms:\n${r.stderr}`).toBe(false);
    expect(r.code, r.stderr).toBe(143);
    expect(r.stderr).toMatch(/received SIGTERM/);
    expect(r.stderr).toMatch(/cancelled/);
    const list = json<{ state: string; cleanup_pending?: boolean }[]>(
      cliSync(['list', '--all', '--profile', 'profile.e2b-hang-long', '--json'], env),
    );
    expect(list.map((s) => [s.state, s.cleanup_pending ?? false])).toEqual([['failed', false]]);
    expect(fake.sandboxes.size).toBe(0);
  });

  it('the setup action step ends promptly on SIGINT with the sandbox torn down, a request still hanging', async () => {
    const before = proxy.hung.length;
    // The step as the runner starts it (dist/setup/main.js), or from source when dist/ is older than src/.
    const bundle = pathToFileURL(join(REPO_ROOT, 'src/bundle.ts')).href;
    const script = `const m = await import(${JSON.stringify(bundle)}); await m.setupMain();`;
    const r = await gcCli(
      CLI_FROM_BUNDLE
        ? [join(REPO_ROOT, 'dist/setup/main.js')]
        : ['--import', 'tsx', '--input-type=module', '-e', script],
      (kill) => {
        const poll = setInterval(() => {
          if (proxy.hung.length > before) {
            clearInterval(poll);
            kill('SIGINT');
          }
        }, 50);
      },
      {
        INPUT_PROFILE: 'profile.e2b-hang-long',
        'INPUT_STATE-STORE': 'none',
        RUNNER_TEMP: join(tmp.dir, 'runner'),
      },
    );
    expect(r.killed, `still running after ${HANG_LIMIT_MS} ms:\n${r.stdout}\n${r.stderr}`).toBe(false);
    expect(r.stdout).toMatch(/::error::.*cancelled/);
    expect(fake.sandboxes.size).toBe(0);
  });
});
