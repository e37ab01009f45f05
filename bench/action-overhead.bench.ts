// setup-sandbox's own overhead: from process start (spawn of `node dist/setup/main.js`, as the runner does) to
// the provider call (the record's `provisioning` transition, persisted right before the backend is touched),
// side by side with a bare `node -e ''` start on the same machine; and the size of the bundle the action loads.
// Targets (issue #8): overhead ≤ 300 ms, bundle ≤ 2 MB. Not a test: `npm run bench action-overhead`.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SandboxRecord } from '../src/core/record.ts';
import { tempDir } from '../tests/helpers/env.ts';
import { FakeGitHub } from '../tests/actions/fake-github.ts';
import { loadedByStep } from '../tests/actions/loaded-by-step.ts';

const DIST = resolve(import.meta.dirname, '../dist');
const ROUNDS = 10;

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; t0: number }> {
  const t0 = Date.now();
  const child = spawn(process.execPath, args, { env, stdio: 'ignore' });
  return new Promise((done) => child.on('close', (code) => done({ code, t0 })));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.ceil(xs.length * 0.9) - 1]!;

function dirSize(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    total += statSync(p).isDirectory() ? dirSize(p) : statSync(p).size;
  }
  return total;
}

async function overhead(store: 'none' | 'artifact', fake: FakeGitHub): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const tmp = tempDir('sbx-bench-action-');
    try {
      const files = ['GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_ENV', 'GITHUB_STEP_SUMMARY'];
      const env: Record<string, string> = {
        PATH: process.env.PATH ?? '',
        RUNNER_TEMP: tmp.dir,
        SANDBOXER_STUB_DIR: join(tmp.dir, 'stub'),
        INPUT_PROFILE: 'profile.saas-stub',
        INPUT_TTL: '30m',
        'INPUT_STATE-STORE': store,
        ...(store === 'artifact' ? fake.env(1000 + i) : {}),
      };
      for (const f of files) {
        env[f] = join(tmp.dir, f.toLowerCase());
        writeFileSync(env[f]!, '');
      }
      const { code, t0 } = await run([join(DIST, 'setup/main.js')], env);
      if (code !== 0) throw new Error(`setup main exited ${code}`);
      const dir = join(tmp.dir, 'sandboxer-state', 'sandboxes');
      const record = SandboxRecord.parse(JSON.parse(readFileSync(join(dir, readdirSync(dir)[0]!), 'utf8')));
      const provisioning = record.history.find((h) => h.to === 'provisioning')!;
      out.push(Date.parse(provisioning.at) - t0);
    } finally {
      tmp.cleanup();
    }
  }
  return out;
}

export default async function bench(): Promise<void> {
  if (!existsSync(join(DIST, 'setup/main.js'))) throw new Error('dist/ is not built: run npm run build');
  const fake = await new FakeGitHub().start();
  try {
    const bare: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t0 = Date.now();
      await run(['-e', ''], { PATH: process.env.PATH ?? '' });
      bare.push(Date.now() - t0);
    }
    const none = await overhead('none', fake);
    const artifact = await overhead('artifact', fake);
    const mainBundle = statSync(join(DIST, 'index.js')).size;
    const loaded = await loadedByStep(fake, 'setup/main.js', {
      profile: 'profile.saas-stub',
      'state-store': 'artifact',
    });
    const total = dirSize(DIST);
    const ms = (xs: number[]) => `median ${median(xs)} ms, p90 ${p90(xs)} ms`;
    console.log(`rounds: ${ROUNDS}`);
    console.log(`bare node start→exit:                        ${ms(bare)}`);
    console.log(
      `setup start→provider call, state-store none:     ${ms(none)} (target ≤ 300 ms: ${median(none) <= 300 ? 'met' : 'MISSED'})`,
    );
    console.log(
      `setup start→provider call, state-store artifact: ${ms(artifact)} (target ≤ 300 ms: ${median(artifact) <= 300 ? 'met' : 'MISSED'})`,
    );
    console.log(`ratio setup/bare node (none): ${(median(none) / median(bare)).toFixed(2)}×`);
    const mb = (n: number) => `${(n / 1_000_000).toFixed(2)} MB`;
    console.log(`dist/index.js (entry, chunks load on demand): ${mb(mainBundle)}`);
    console.log(
      `code one setup main loads (state-store artifact): ${mb(loaded.bytes)} in ${loaded.files.map((f) => f.file).join(', ')} (target ≤ 2 MB: ${loaded.bytes <= 2_000_000 ? 'met' : 'MISSED'})`,
    );
    console.log(`all of dist/ (every chunk, incl. cloud SDKs and assets): ${mb(total)}`);
  } finally {
    await fake.stop();
  }
}
