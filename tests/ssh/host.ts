import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { SandboxRecord } from '../../src/core/record.ts';
import { cli, json, type CliResult } from '../helpers/cli.ts';

/**
 * The real SSH + podman host on loopback (scripts/test-host/setup.sh). Tests skip only when it cannot exist here:
 * not root, or podman / sshd not installed. In CI (root, scripts/ci.sh installs the packages) they run.
 */
export interface TestHost {
  /** Env for a manager / CLI talking to the host (key included, as the SANDBOXER_SSH_KEY secret). */
  env: NodeJS.ProcessEnv;
  image: string;
  hostKeySha256: string;
  keyFile: string;
  knownHosts: string;
  port: number;
  containersConf: string;
}

const root = resolve(import.meta.dirname, '../..');

export function skipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root: the loopback SSH + podman host needs root';
  for (const bin of ['podman', 'podman-compose', '/usr/sbin/sshd']) {
    if (spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0) return `${bin} is not installed`;
  }
  return undefined;
}

let cached: TestHost | undefined;

export function testHost(): TestHost {
  if (cached) return cached;
  const envFile = execFileSync('bash', [join(root, 'scripts/test-host/setup.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 300_000,
  }).trim();
  const vars = Object.fromEntries(
    readFileSync(envFile, 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const),
  );
  const keyFile = vars.SANDBOXER_SSH_KEY_FILE!;
  cached = {
    env: {
      SANDBOXER_HOST: vars.SANDBOXER_HOST,
      SANDBOXER_SSH_KEY: readFileSync(keyFile, 'utf8'),
      SANDBOXER_KNOWN_HOSTS: vars.SANDBOXER_KNOWN_HOSTS,
      SANDBOXER_COMPOSE_CMD: vars.SANDBOXER_COMPOSE_CMD,
      SANDBOXER_CANARY_IMAGE: vars.SANDBOXER_TEST_IMAGE,
    },
    image: vars.SANDBOXER_TEST_IMAGE!,
    hostKeySha256: vars.SANDBOXER_TEST_HOST_KEY_SHA256!,
    keyFile,
    knownHosts: vars.SANDBOXER_KNOWN_HOSTS!,
    port: Number(vars.SANDBOXER_HOST!.split(':').pop()),
    containersConf: vars.CONTAINERS_CONF!,
  };
  return cached;
}

/** Run podman locally (the host is this machine) to check what really exists. */
export function podman(h: TestHost, args: string[]): string {
  return execFileSync('podman', args, {
    encoding: 'utf8',
    env: { ...process.env, CONTAINERS_CONF: h.containersConf },
  });
}

/** Containers and volumes of one compose project, as podman sees them. */
export function projectObjects(h: TestHost, project: string): string[] {
  const filter = `label=com.docker.compose.project=${project}`;
  return [
    ...podman(h, ['ps', '-aq', '--filter', filter]).split('\n'),
    ...podman(h, ['volume', 'ls', '-q', '--filter', filter]).split('\n'),
  ].filter(Boolean);
}

/**
 * A compose repo: a web service (busybox httpd with a healthcheck) and a worker with a named volume.
 * `healthyAfter_s` delays the healthcheck's success (a slow provision for cancellation tests).
 */
export function writeComposeRepo(
  dir: string,
  image: string,
  opts: { healthyAfter_s?: number; brokenImage?: boolean } = {},
): void {
  mkdirSync(dir, { recursive: true });
  const delay = opts.healthyAfter_s ?? 0;
  const compose = {
    services: {
      web: {
        image: opts.brokenImage ? 'localhost/does-not-exist:never' : image,
        command: [
          'sh',
          '-c',
          `sleep ${delay}; echo web-started; echo hello-from-web > /tmp/index.html; touch /tmp/ready; exec httpd -f -p 8080 -h /tmp`,
        ],
        // A fixed host port, as real compose files have: each sandbox still gets its own (the engine picks).
        ports: ['18080:8080'],
        stop_signal: 'SIGKILL',
        healthcheck: { test: ['CMD', 'test', '-f', '/tmp/ready'], interval: '1s', retries: 30 },
      },
      worker: {
        image,
        command: ['sleep', '3600'],
        stop_signal: 'SIGKILL',
        volumes: ['data:/data'],
      },
    },
    volumes: { data: {} },
  };
  writeFileSync(join(dir, 'docker-compose.yml'), JSON.stringify(compose, null, 2));
  writeFileSync(join(dir, 'README.md'), 'test repo\n');
}

/** A compose-ssh sandbox of profile.compose-e2e made by the CLI as a user would, over a repo written in dir/repo. */
export async function cliComposeSandbox(
  dir: string,
  env: NodeJS.ProcessEnv,
): Promise<{ id: string; created: CliResult }> {
  const repo = join(dir, 'repo');
  writeComposeRepo(repo, testHost().image);
  const created = await cli(
    ['create', '--profile', 'profile.compose-e2e', '--input', `repo=${repo}`, '--json'],
    env,
  );
  return { id: json<SandboxRecord>(created).id, created };
}
