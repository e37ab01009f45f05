// Using a compose-ssh sandbox on the loopback SSH + podman host (scripts/test-host/setup.sh; needs root), side by
// side with plain OpenSSH (issue #13):
//  1. `exec -- true` in the web container vs `ssh host podman exec <container> true` over an OpenSSH ControlMaster
//     connection that is already up (target ≤ 1.2×) — measured for the `sandboxer` CLI process (through its SSH
//     mux agent, and with SANDBOXER_SSH_MUX=0) and for the library call (SandboxAccess.exec, what the API uses);
//  2. `sandboxer cp DIR ID:dest` of a 50 MB directory vs `tar -cf - DIR | ssh host tar -xf -` (target ≤ 1.2×).
// Not a test: it prints measurements. `npm run bench access`.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { loadCatalog } from '../src/catalog/loader.ts';
import { defaultRegistry } from '../src/extensions/registry.ts';
import { SandboxAccess } from '../src/manager/access.ts';
import { SandboxManager } from '../src/manager/manager.ts';
import { openStateStore } from '../src/state/open.ts';
import { REPO_ROOT } from '../tests/helpers/cli.ts';
import { tempDir } from '../tests/helpers/env.ts';
import { skipReason, testHost } from '../tests/ssh/host.ts';
import { writeComposeRepo } from '../tests/ssh/host.ts';

const ROUNDS = 11;
// The CLI as users run it: the bundle (npm run build first), not the TypeScript sources through tsx.
// SANDBOXER_BENCH_CLI=/path/to/bin/sandboxer.js measures another build (a copy of main's, for a before/after).
const cliArgs = (args: string[]) => [
  process.env.SANDBOXER_BENCH_CLI || join(REPO_ROOT, 'bin', 'sandboxer.js'),
  ...args,
];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${x.toFixed(0)} ms`;

function time(fn: () => void): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

async function timeAsync(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

function must(r: ReturnType<typeof spawnSync>, what: string): void {
  if (r.status !== 0) throw new Error(`${what} failed (${r.status}): ${String(r.stderr)}`);
}

export default async function main(): Promise<void> {
  const reason = skipReason();
  if (reason) return void console.log(`skipped: ${reason}`);
  const h = testHost();
  const tmp = tempDir('sbx-bench-access-');
  const env = {
    ...h.env,
    SANDBOXER_STATE_DIR: join(tmp.dir, 'state'),
    SANDBOXER_BASE_DIR: join(tmp.dir, 'host'),
    // An agent of this build, not one another checkout's CLI started for the same host and key.
    SANDBOXER_SSH_MUX_DIR: join(tmp.dir, 'mux'),
  };
  const m = new SandboxManager({
    catalog: loadCatalog(),
    registry: defaultRegistry(),
    // The store the CLI opens by default (SQLite in the state directory), so both see the same records.
    store: openStateStore(env),
    owner: { scope: 'bench:access' },
    env,
  });
  const repo = join(tmp.dir, 'repo');
  writeComposeRepo(repo, h.image);
  const r = await m.create({ profileId: 'profile.compose-e2e', inputs: { repo }, ttl: '30m' });
  const control = join(tmp.dir, 'cm.sock');
  const ssh = [
    '-p',
    String(h.port),
    '-i',
    h.keyFile,
    '-o',
    `UserKnownHostsFile=${h.knownHosts}`,
    '-o',
    'BatchMode=yes',
    '-o',
    `ControlPath=${control}`,
    '-o',
    'ControlMaster=auto',
    '-o',
    'ControlPersist=60',
  ];
  const userHost = `${String(r.handle.ssh_user)}@${String(r.handle.ssh_host)}`;
  try {
    must(spawnSync('ssh', [...ssh, userHost, 'true'], { encoding: 'utf8' }), 'ControlMaster start');
    const cid = spawnSync(
      'ssh',
      [
        ...ssh,
        userHost,
        `podman ps -q --filter label=com.docker.compose.project=${r.id} --filter label=com.docker.compose.service=web`,
      ],
      { encoding: 'utf8' },
    ).stdout.trim();
    const access = new SandboxAccess(m);
    const sink = { stdout: () => undefined, stderr: () => undefined };
    const base: number[] = [];
    const cli: number[] = [];
    const lib: number[] = [];
    const cliDirect: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      base.push(
        time(() => must(spawnSync('ssh', [...ssh, userHost, `podman exec ${cid} true`]), 'baseline exec')),
      );
      cli.push(
        time(() =>
          must(
            spawnSync(process.execPath, cliArgs(['exec', r.id, '--service', 'web', '--', 'true']), {
              cwd: REPO_ROOT,
              env: { ...process.env, ...env },
            }),
            'sandboxer exec',
          ),
        ),
      );
      cliDirect.push(
        time(() =>
          must(
            spawnSync(process.execPath, cliArgs(['exec', r.id, '--service', 'web', '--', 'true']), {
              cwd: REPO_ROOT,
              env: { ...process.env, ...env, SANDBOXER_SSH_MUX: '0' },
            }),
            'sandboxer exec (SANDBOXER_SSH_MUX=0)',
          ),
        ),
      );
      lib.push(await timeAsync(() => access.exec(r.id, { service: 'web', argv: ['true'] }, sink)));
    }
    const b = median(base);
    console.log(
      `exec -- true (median of ${ROUNDS}; load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}):`,
    );
    console.log(`  baseline ssh (ControlMaster up) podman exec: ${ms(b)}`);
    console.log(
      `  sandboxer exec (CLI process, through the SSH mux agent): ${ms(median(cli))}  ratio ${(median(cli) / b).toFixed(2)}×  (target ≤ 1.2×)`,
    );
    console.log(
      `  sandboxer exec (CLI process, SANDBOXER_SSH_MUX=0, new SSH connection): ${ms(median(cliDirect))}  ratio ${(median(cliDirect) / b).toFixed(2)}×`,
    );
    console.log(
      `  SandboxAccess.exec (library/API, new SSH connection): ${ms(median(lib))}  ratio ${(median(lib) / b).toFixed(2)}×`,
    );

    const dir = join(tmp.dir, 'payload');
    for (let i = 0; i < 50; i++) {
      const sub = join(dir, `d${i % 5}`);
      mkdirSync(sub, { recursive: true });
      writeFileSync(join(sub, `f${i}.bin`), randomBytes(1024 * 1024));
    }
    const workspace = `${env.SANDBOXER_BASE_DIR}/${r.id}/repo`;
    const cpBase: number[] = [];
    const cpCli: number[] = [];
    for (let i = 0; i < 3; i++) {
      cpBase.push(
        time(() =>
          must(
            spawnSync('sh', [
              '-c',
              `tar -cf - -C "$1" . | ssh ${ssh.map((a) => `'${a}'`).join(' ')} ${userHost} "mkdir -p ${workspace}/base${i} && tar -xf - -C ${workspace}/base${i}"`,
              'sh',
              dir,
            ]),
            'baseline tar | ssh tar',
          ),
        ),
      );
      cpCli.push(
        time(() =>
          must(
            spawnSync(process.execPath, cliArgs(['cp', dir, `${r.id}:cli${i}`]), {
              cwd: REPO_ROOT,
              env: { ...process.env, ...env },
            }),
            'sandboxer cp',
          ),
        ),
      );
    }
    const cb = median(cpBase);
    console.log(
      `cp of a 50 MB directory (median of 3; load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}):`,
    );
    console.log(`  baseline tar | ssh (ControlMaster up) tar: ${ms(cb)}`);
    console.log(
      `  sandboxer cp (CLI process): ${ms(median(cpCli))}  ratio ${(median(cpCli) / cb).toFixed(2)}×  (target ≤ 1.2×)`,
    );
  } finally {
    spawnSync('ssh', [...ssh, '-O', 'exit', userHost]);
    await m.destroy(r.id);
    tmp.cleanup();
  }
}
