import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { newSandboxId } from '../../src/core/ids.ts';
import { ownershipLabels } from '../../src/core/labels.ts';
import type { SandboxRecord, SandboxState } from '../../src/core/record.ts';
import { artifactName } from '../../src/state/artifact/names.ts';
import type { FakeGitHub } from './fake-github.ts';
import { parseFileCommands } from './runner.ts';

/**
 * The reap-stale action's real code path (`reapMain` from a source tree, as its own node process, like the
 * runner runs it) against the fake GitHub over HTTP, over a repository seeded with record artifacts and a
 * saas-stub "cloud" holding their objects.
 */
export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const SCOPE = 'github:acme/app';

/** `killed`: provisioning since 2 min ago (its process is gone); `stuck`: the same, 3 h ago. */
export type SeedKind = 'healthy' | 'lost' | 'killed' | 'stuck' | 'expired' | 'gone' | 'cleanup';

export interface Seeded {
  id: string;
  kind: SeedKind;
  run: number;
  artifactId: number;
  object?: string;
}

const MIN = 60_000;

/** One sandbox record artifact (and its object, unless `gone`) as a setup step of run `run` left it. */
export function seedSandbox(fake: FakeGitHub, stubDir: string, kind: SeedKind, run: number): Seeded {
  const now = Date.now();
  const iso = (msAgo: number) => new Date(now - msAgo).toISOString();
  const id = newSandboxId();
  const owner = { scope: SCOPE, repository: 'acme/app', run_id: String(run), run_attempt: '1' };
  const created = kind === 'killed' ? iso(2 * MIN) : iso(3 * 60 * MIN);
  const expires = kind === 'expired' ? iso(10 * MIN) : new Date(now + 6 * 60 * MIN).toISOString();
  const labels = ownershipLabels({
    sandboxId: id,
    profileId: 'profile.saas-stub',
    owner,
    expiresAt: expires,
  });
  const state: SandboxState =
    kind === 'killed' || kind === 'stuck' ? 'provisioning' : kind === 'cleanup' ? 'failed' : 'ready';
  const backend = `stub-${id.slice(4)}`;
  const record: SandboxRecord = {
    id,
    revision: 3,
    profile_id: 'profile.saas-stub',
    profile_version: '1.0.0',
    extension_id: 'ext.saas-stub',
    state,
    placement: { region: 'stub-local-1' },
    handle: { backend_id: backend },
    inputs: {},
    resources: { cpu: 2, memory_mib: 1024, gpu_count: 0 },
    labels,
    owner,
    created_at: created,
    ...(state === 'ready' ? { ready_at: created } : {}),
    ttl_s: Math.round((Date.parse(expires) - Date.parse(created)) / 1000),
    expires_at: expires,
    config: { region: 'stub-local-1' },
    ...(kind === 'cleanup' ? { cleanup_pending: true, error: { code: 'backend', message: 'injected' } } : {}),
    history: [
      { from: null, to: 'requested', at: created },
      { from: 'requested', to: 'provisioning', at: created },
      ...(state === 'provisioning' ? [] : [{ from: 'provisioning' as const, to: state, at: created }]),
    ],
  };
  const a = fake.seedArtifact(run, artifactName(id, 1), JSON.stringify(record), created);
  const object = kind === 'gone' ? undefined : writeObject(stubDir, backend, labels, created);
  return { id, kind, run, artifactId: a.id, ...(object ? { object } : {}) };
}

/** A backend object whose record is nowhere (its creator died before the first artifact upload). */
export function seedOrphan(stubDir: string, run: number, agoMs: number): string {
  const id = newSandboxId();
  const owner = { scope: SCOPE, repository: 'acme/app', run_id: String(run) };
  const labels = ownershipLabels({ sandboxId: id, profileId: 'profile.saas-stub', owner });
  writeObject(stubDir, `stub-${id.slice(4)}`, labels, new Date(Date.now() - agoMs).toISOString());
  return id;
}

function writeObject(stubDir: string, backend: string, labels: Record<string, string>, created: string) {
  const dir = join(stubDir, 'objects');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, `${backend}.json`),
    JSON.stringify({ backend_id: backend, labels, created_at: created, status: 'running' }),
  );
  return `${backend}.json`;
}

export interface ReapRun {
  code: number | null;
  stdout: string;
  outputs: Record<string, string>;
  /** What the step saved for its post (GITHUB_STATE). */
  state: Record<string, string>;
  wall_ms: number;
  /** Peak resident set of the action's process, MiB. */
  rss_mib: number;
}

/**
 * Run `reapMain` (or another entry: `module`/`fn`, e.g. setup's main and post) from the source tree at `root`
 * (this checkout, or an older commit's) as a step of run `run`.
 */
export async function runReapAction(opts: {
  fake: FakeGitHub;
  dir: string;
  stubDir: string;
  run: number;
  inputs: Record<string, string>;
  root?: string;
  /** A built module exporting reapMain (a bundle): run with plain node, no TypeScript loader. */
  bundle?: string;
  module?: string;
  fn?: string;
  job?: string;
  /** Extra env, and the STATE_* a post step gets from its main. */
  env?: Record<string, string>;
  state?: Record<string, string>;
}): Promise<ReapRun> {
  mkdirSync(opts.dir, { recursive: true });
  const file = (n: string) => join(opts.dir, n);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    ...opts.fake.env(opts.run, opts.job ?? 'reap'),
    RUNNER_TEMP: file('runner-temp'),
    SANDBOXER_STATE_DIR: file('state'),
    SANDBOXER_STUB_DIR: opts.stubDir,
    SANDBOXER_SCOPE: SCOPE,
    GITHUB_TOKEN: 'ghs_test',
    GITHUB_OUTPUT: file('output'),
    GITHUB_STATE: file('state-cmd'),
    GITHUB_ENV: file('env'),
    GITHUB_STEP_SUMMARY: file('summary'),
    SBX_RUSAGE: file('rusage'),
    ...(process.env.SBX_PEAKS ? { SBX_PEAKS: '1' } : {}),
    ...(opts.env ?? {}),
  };
  mkdirSync(env.RUNNER_TEMP!, { recursive: true });
  for (const k of ['GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_ENV', 'GITHUB_STEP_SUMMARY'])
    writeFileSync(env[k]!, '');
  for (const [k, v] of Object.entries(opts.inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  for (const [k, v] of Object.entries(opts.state ?? {})) env[`STATE_${k}`] = v;
  const root = opts.root ?? process.env.SANDBOXER_TEST_SRC_ROOT ?? REPO_ROOT;
  const entry = pathToFileURL(opts.bundle ?? join(root, opts.module ?? 'src/action/reap.ts')).href;
  const script = [
    "import { writeFileSync } from 'node:fs';",
    "process.on('exit', () => writeFileSync(process.env.SBX_RUSAGE, String(process.resourceUsage().maxRSS)));",
    // SBX_PEAKS=1: also print the peak of each process.memoryUsage() field (MiB) on stderr.
    "if (process.env.SBX_PEAKS) { const peak = {}; setInterval(() => { for (const [k, v] of Object.entries(process.memoryUsage())) peak[k] = Math.max(peak[k] ?? 0, Math.round(v / 1048576)); }, 20).unref(); process.on('exit', () => console.error('peaks', JSON.stringify(peak))); }",
    `await (await import(${JSON.stringify(entry)}))[${JSON.stringify(opts.fn ?? 'reapMain')}]();`,
  ].join('\n');
  const t0 = performance.now();
  const loader = opts.bundle ? [] : ['--import', 'tsx'];
  const child = spawn(process.execPath, [...loader, '--input-type=module', '-e', script], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stdout += d.toString()));
  const code = await new Promise<number | null>((done) => child.on('close', (c) => done(c)));
  const wall_ms = Math.round(performance.now() - t0);
  let rss_kib = 0;
  try {
    rss_kib = Number(readFileSync(env.SBX_RUSAGE!, 'utf8'));
  } catch {
    // the process died before its exit hook
  }
  return {
    code,
    stdout,
    outputs: parseFileCommands(readFileSync(env.GITHUB_OUTPUT!, 'utf8')),
    state: parseFileCommands(readFileSync(env.GITHUB_STATE!, 'utf8')),
    wall_ms,
    rss_mib: Math.round(rss_kib / 1024),
  };
}
