// reap-stale on the action's real REST path (issue #14): `reapMain` run from source as its own node process
// against the local fake GitHub (artifact REST + blob store + runs) over HTTP, on a repository of 1,000 record
// artifacts of which 100 are stale (40 expired, 20 gone, 25 stuck provisioning and 15 failed with cleanup
// pending, those last two from a completed run) plus 50 orphaned objects on ext.saas-stub. 900 healthy records
// belong to two running workflows. Prints REST calls, blob downloads, wall time and the action process's peak
// RSS, side by side with the code before #14 (BASELINE, exported with `git archive`; BENCH_REAP_BASELINE=0
// skips it — it spends about 100 s in throttled DELETEs). Targets: REST ≤ ceil(N/100) + 2·stale + 3, ≤ 30 s,
// peak RSS ≤ 150 MB. The source rows run under tsx, whose transpiler adds ~60 MiB of RSS: the RSS that counts is
// the bundle's, the code the runner executes — BENCH_REAP_BUNDLE=DIR adds a row for a build of this tree
// (`node scripts/build.mjs --out DIR`, or `dist` once rebuilt). BENCH_REAP_INPROCESS=1 adds the in-process table (bench/reap-inprocess.ts).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FakeGitHub } from '../tests/actions/fake-github.ts';
import {
  REPO_ROOT,
  runReapAction,
  seedOrphan,
  seedSandbox,
  type SeedKind,
} from '../tests/actions/reap-harness.ts';
import { tempDir } from '../tests/helpers/env.ts';
import { inProcess } from './reap-inprocess.ts';

/** main before the #14 reaper work: the old action downloads every record and deletes one artifact a second. */
const BASELINE = '1fa8bf9';
const N = 1000;
const RUN_A = 101;
const RUN_B = 102;
const RUN_DONE = 103;
const PLAN: [SeedKind, number, number][] = [
  ['healthy', RUN_A, 450],
  ['healthy', RUN_B, 450],
  ['expired', RUN_A, 40],
  ['gone', RUN_A, 20],
  ['stuck', RUN_DONE, 25],
  ['cleanup', RUN_DONE, 15],
];
const STALE = 100;
const ORPHANS = 50;

interface Row {
  code: string;
  rest: number;
  downloads: number;
  runs: number;
  deletes: number;
  wall_s: number;
  rss_mib: number;
  reaped: number;
  left: { objects: number; artifacts: number };
}

async function measure(label: string, root: string, bundle?: string): Promise<Row> {
  const tmp = tempDir('sbx-bench-reap-rest-');
  const fake = await new FakeGitHub().start();
  try {
    fake.runs.set(RUN_A, 'in_progress').set(RUN_B, 'in_progress').set(RUN_DONE, 'completed');
    const stubDir = join(tmp.dir, 'cloud');
    for (const [kind, run, n] of PLAN) for (let i = 0; i < n; i++) seedSandbox(fake, stubDir, kind, run);
    for (let i = 0; i < ORPHANS; i++) seedOrphan(stubDir, RUN_DONE, 3600_000);
    fake.calls.splice(0);
    const res = await runReapAction({
      fake,
      stubDir,
      root,
      ...(bundle ? { bundle: join(resolve(bundle), 'index.js') } : {}),
      dir: join(tmp.dir, 'job'),
      run: 900,
      inputs: { 'dry-run': 'false', 'min-orphan-age': '30m', token: 'ghs_test' },
    });
    if (res.code !== 0)
      throw new Error(`${label}: reap-stale exited ${res.code}\n${res.stdout.slice(-2000)}`);
    const rest = fake.restCalls();
    return {
      code: label,
      rest: rest.length,
      downloads: rest.filter((c) => c.endsWith('/zip')).length,
      runs: rest.filter((c) => c.includes('/actions/runs/')).length,
      deletes: rest.filter((c) => c.startsWith('rest DELETE')).length,
      wall_s: res.wall_ms / 1000,
      rss_mib: res.rss_mib,
      reaped: Number(res.outputs.reaped),
      left: {
        objects: readdirSync(join(stubDir, 'objects')).length,
        artifacts: fake.live().length,
      },
    };
  } finally {
    await fake.stop();
    tmp.cleanup();
  }
}

function baselineTree(): string | undefined {
  const dir = join(tempDir('sbx-bench-baseline-').dir, 'tree');
  try {
    execFileSync('mkdir', ['-p', dir]);
    const files = ['src', 'extensions', 'profiles', 'registry', 'package.json', 'tsconfig.json'];
    const tar = execFileSync('git', ['-C', REPO_ROOT, 'archive', BASELINE, ...files]);
    execFileSync('tar', ['-x', '-C', dir], { input: tar });
    if (!existsSync(join(dir, 'node_modules')))
      symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
    return dir;
  } catch (err) {
    console.log(
      `baseline ${BASELINE} not available here (${(err as Error).message.split('\n')[0]}): skipped`,
    );
    return undefined;
  }
}

export default async function main(): Promise<void> {
  console.log(
    `${N} record artifacts (${STALE} stale) + ${ORPHANS} orphans; the action's REST path against the fake GitHub`,
  );
  const rows = [await measure('this tree (tsx)', REPO_ROOT)];
  const bundle = process.env.BENCH_REAP_BUNDLE;
  if (bundle) rows.push(await measure(`bundle ${bundle}`, REPO_ROOT, bundle));
  const base = process.env.BENCH_REAP_BASELINE === '0' ? undefined : baselineTree();
  if (base) rows.push(await measure(`baseline ${BASELINE} (tsx)`, base));
  const header = [
    'code',
    'REST calls',
    'zip GETs',
    'run GETs',
    'DELETEs',
    'wall s',
    'peak RSS MiB',
    'reaped',
    'left',
  ];
  const lines = rows.map((r) => [
    r.code,
    String(r.rest),
    String(r.downloads),
    String(r.runs),
    String(r.deletes),
    r.wall_s.toFixed(1),
    String(r.rss_mib),
    String(r.reaped),
    `${r.left.objects} objects, ${r.left.artifacts} artifacts`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  for (const l of [header, ...lines]) console.log(l.map((c, i) => c.padEnd(widths[i]!)).join('  '));
  const budget = Math.ceil(N / 100) + 2 * STALE + 3;
  const now = rows.find((r) => r.code.startsWith('bundle')) ?? rows[0]!;
  const old = rows.find((r) => r.code.startsWith('baseline'));
  console.log(
    `targets: REST ${now.rest} ≤ ${budget} ${now.rest <= budget ? 'ok' : 'MISSED'}; ` +
      `${now.wall_s.toFixed(1)} s ≤ 30 s ${now.wall_s <= 30 ? 'ok' : 'MISSED'}; ` +
      `peak RSS ${now.rss_mib} MiB ≤ 150 MB (143 MiB) ${now.rss_mib <= 143 ? 'ok' : 'MISSED'}`,
  );
  console.log(`(targets checked on: ${now.code})`);
  if (old)
    console.log(
      `vs baseline: REST calls ${(old.rest / rows[0]!.rest).toFixed(1)}x fewer, wall time ${(old.wall_s / rows[0]!.wall_s).toFixed(1)}x shorter (tsx rows)`,
    );
  if (process.env.BENCH_REAP_INPROCESS === '1') await inProcess();
}
