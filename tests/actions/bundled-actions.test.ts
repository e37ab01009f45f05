import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SandboxRecord } from '../../src/core/record.ts';
import { tempDir } from '../helpers/env.ts';
import { FakeGitHub } from './fake-github.ts';
import { Job } from './runner.ts';

/**
 * The bundled actions (dist/) run as the runner runs them: `node dist/<entry>.js` with INPUT_* env, temp
 * GITHUB_STATE/OUTPUT/ENV/STEP_SUMMARY files, the post with STATE_* from the main's GITHUB_STATE, the real
 * @actions/artifact client and octokit against a local server speaking the artifact and REST protocols, and
 * the saas-stub backend (its "cloud" is SANDBOXER_STUB_DIR).
 */
const SETUP_INPUTS = {
  profile: 'profile.saas-stub',
  ttl: '30m',
  'state-store': 'artifact',
  teardown: 'post',
};

let fake: FakeGitHub;
let tmp: { dir: string; cleanup: () => void };
let stubDir: string;
let jobs = 0;

const stubObjects = () => {
  const dir = join(stubDir, 'objects');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
};
const newJob = (run: number, name = 'build', extra: Record<string, string> = {}) =>
  new Job(join(tmp.dir, `job-${++jobs}`), {
    ...fake.env(run, name),
    SANDBOXER_STUB_DIR: stubDir,
    GITHUB_TOKEN: 'ghs_test',
    ...extra,
  });
const warnings = (out: string) => out.split('\n').filter((l) => l.startsWith('::warning'));

beforeAll(async () => {
  fake = await new FakeGitHub().start();
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => {
  tmp?.cleanup();
  tmp = tempDir('sbx-actions-');
  stubDir = join(tmp.dir, 'stub-cloud');
  fake.artifacts.splice(0);
  fake.calls.splice(0);
});
afterAll(() => tmp?.cleanup());

describe('setup-sandbox (bundled main + post)', () => {
  it('creates a sandbox, saves its id in state, sets outputs, keeps the record in one artifact; the post tears it down', async () => {
    const job = newJob(1);
    const main = await job.run('setup/main.js', { inputs: SETUP_INPUTS });
    expect(main.stderr + main.stdout).not.toMatch(/::error/);
    expect(main.code).toBe(0);
    const id = main.outputs['sandbox-id']!;
    expect(id).toMatch(/^sbx-[a-z0-9]{12}$/);
    expect(main.state).toMatchObject({
      sandbox_id: id,
      teardown: 'post',
      state_store: 'artifact',
      main_done: 'ready',
    });
    expect(main.outputs).toMatchObject({ 'extension-id': 'ext.saas-stub', state: 'ready' });
    expect(JSON.parse(main.outputs.handle!)).toEqual(expect.any(Object));
    expect(Date.parse(main.outputs['expires-at']!)).toBeGreaterThan(Date.now());
    expect(main.outputs['estimate-usd']).toMatch(/^\d+\.\d+$/);
    expect(JSON.parse(main.outputs['route-decision']!)).toMatchObject({ chosen: 'ext.saas-stub' });
    expect(main.summary).toContain('<table>');
    expect(main.summary).toContain(id);
    expect(main.summary).toContain('Route decision');
    expect(stubObjects()).toHaveLength(1);

    // One artifact for this sandbox and attempt, holding the ready record and nothing secret.
    const live = fake.live();
    expect(live.map((a) => a.name)).toEqual([`sandboxer-${id}-a1.json`]);
    const stored = SandboxRecord.parse(JSON.parse((await fake.blobText(live[0]!.name))!));
    expect(stored).toMatchObject({ id, state: 'ready', extension_id: 'ext.saas-stub' });
    expect(fake.calls).toEqual(
      expect.arrayContaining([
        'twirp CreateArtifact',
        'blob PUT block',
        'blob PUT blocklist',
        'twirp FinalizeArtifact',
      ]),
    );

    const post = await job.run('setup/post.js', { state: main.state });
    expect(post.code).toBe(0);
    expect(warnings(post.stdout)).toEqual([]);
    expect(stubObjects()).toEqual([]);
    expect(fake.live()).toEqual([]);
    expect(post.summary).toContain('Actual cost');
    expect(post.summary).toMatch(/\$\d+\.\d+ \(\d+(\.\d+)?s\)/);
  });

  it('teardown: never keeps the sandbox in the post; teardown-sandbox in another job finds it by its artifact', async () => {
    const setupJob = newJob(2);
    const main = await setupJob.run('setup/main.js', { inputs: { ...SETUP_INPUTS, teardown: 'never' } });
    expect(main.code).toBe(0);
    const id = main.outputs['sandbox-id']!;
    const post = await setupJob.run('setup/post.js', { state: main.state });
    expect(post.code).toBe(0);
    expect(post.stdout).toContain('is kept (teardown: never)');
    expect(stubObjects()).toHaveLength(1);

    // Another job of the same run: a fresh RUNNER_TEMP, so the record comes from the artifact.
    const other = newJob(2, 'cleanup');
    const td = await other.run('teardown/main.js', {
      inputs: { 'sandbox-id': id, 'state-store': 'artifact' },
    });
    expect(td.stdout).not.toMatch(/::error/);
    expect(td.code).toBe(0);
    expect(JSON.parse(td.outputs.destroyed!)).toEqual([id]);
    expect(td.outputs['actual-usd']).toMatch(/^\d+\.\d{6}$/);
    expect(stubObjects()).toEqual([]);
    expect(fake.live()).toEqual([]);
  });

  it('teardown-sandbox without an id tears down every sandbox recorded by the run', async () => {
    const a = newJob(3, 'a');
    const b = newJob(3, 'b');
    const ids: string[] = [];
    for (const job of [a, b]) {
      const main = await job.run('setup/main.js', { inputs: { ...SETUP_INPUTS, teardown: 'never' } });
      expect(main.code).toBe(0);
      ids.push(main.outputs['sandbox-id']!);
    }
    // An artifact of another run is not this run's business.
    const foreign = newJob(4, 'x');
    const f = await foreign.run('setup/main.js', { inputs: { ...SETUP_INPUTS, teardown: 'never' } });
    expect(f.code).toBe(0);

    const td = await newJob(3, 'cleanup').run('teardown/main.js', { inputs: { 'state-store': 'artifact' } });
    expect(td.code).toBe(0);
    expect(JSON.parse(td.outputs.destroyed!).sort()).toEqual(ids.sort());
    expect(stubObjects()).toHaveLength(1);
    expect(fake.live().map((x) => x.name)).toEqual([`sandboxer-${f.outputs['sandbox-id']}-a1.json`]);
  });

  it('an explicit teardown in the same job marks the record, and the post reports it instead of failing', async () => {
    const job = newJob(5);
    const main = await job.run('setup/main.js', { inputs: SETUP_INPUTS });
    const id = main.outputs['sandbox-id']!;
    const td = await job.run('teardown/main.js', { inputs: { 'sandbox-id': id } });
    expect(td.code).toBe(0);
    const post = await job.run('setup/post.js', { state: main.state });
    expect(post.code).toBe(0);
    expect(post.stdout).toMatch(new RegExp(`${id} is already destroyed by teardown-sandbox`));
    expect(warnings(post.stdout)).toEqual([]);
  });

  it('teardown: on-success keeps the sandbox of a failed job and tears down after a successful one', async () => {
    const failed = newJob(6);
    const m1 = await failed.run('setup/main.js', { inputs: { ...SETUP_INPUTS, teardown: 'on-success' } });
    const p1 = await failed.run('setup/post.js', { state: m1.state, inputs: { 'job-status': 'failure' } });
    expect(p1.code).toBe(0);
    expect(p1.stdout).toContain('the job is failure');
    expect(stubObjects()).toHaveLength(1);

    const ok = newJob(7);
    const m2 = await ok.run('setup/main.js', { inputs: { ...SETUP_INPUTS, teardown: 'on-success' } });
    const p2 = await ok.run('setup/post.js', { state: m2.state, inputs: { 'job-status': 'success' } });
    expect(p2.code).toBe(0);
    expect(stubObjects()).toHaveLength(1);
  });

  it('a bad input fails the main with a message naming it, creates nothing, and the post has nothing to do', async () => {
    const job = newJob(8);
    const main = await job.run('setup/main.js', { inputs: { ...SETUP_INPUTS, teardown: 'sometimes' } });
    expect(main.code).toBe(1);
    expect(main.stdout).toMatch(
      /::error::input teardown: 'sometimes' is not allowed \(use one of: post, never, on-success\)/,
    );
    expect(main.state.sandbox_id).toBeUndefined();
    const post = await job.run('setup/post.js', { state: main.state });
    expect(post.code).toBe(0);
    expect(post.stdout).toContain('nothing to tear down');
    expect(stubObjects()).toEqual([]);
  });

  it('a post step never fails the job: an unknown sandbox is a warning', async () => {
    const post = await newJob(9).run('setup/post.js', {
      state: { sandbox_id: 'sbx-000000000000', teardown: 'post', state_store: 'artifact' },
    });
    expect(post.code).toBe(0);
    expect(warnings(post.stdout).join('\n')).toMatch(/sbx-000000000000/);
  });

  it('SIGINT during provisioning cancels the main, tears down what was made; the post then has nothing to do', async () => {
    const job = newJob(10, 'build', { SANDBOXER_STUB_DELAY_MS: '60000' });
    const main = await job.run('setup/main.js', {
      inputs: SETUP_INPUTS,
      signalAfter: (child) => {
        const poll = setInterval(() => {
          if (stubObjects().length > 0) {
            clearInterval(poll);
            child.kill('SIGINT');
          }
        }, 20);
        child.on('close', () => clearInterval(poll));
      },
    });
    expect(main.code).toBe(1);
    expect(main.state.sandbox_id).toMatch(/^sbx-/);
    expect(main.state.main_done).toBe('failed');
    expect(stubObjects()).toEqual([]);
    const post = await job.run('setup/post.js', { state: main.state });
    expect(post.code).toBe(0);
    expect(post.stdout).toMatch(/is already failed/);
    expect(fake.live()).toEqual([]);
  });

  it('state-store: none works without the artifact runtime', async () => {
    const job = newJob(11, 'build', { ACTIONS_RUNTIME_TOKEN: '', ACTIONS_RESULTS_URL: '' });
    const main = await job.run('setup/main.js', { inputs: { ...SETUP_INPUTS, 'state-store': 'none' } });
    expect(main.code).toBe(0);
    const post = await job.run('setup/post.js', { state: main.state });
    expect(post.code).toBe(0);
    expect(stubObjects()).toEqual([]);
    expect(fake.calls.filter((c) => c.startsWith('twirp'))).toEqual([]);
  });
});

describe('reap-stale (bundled)', () => {
  it('finds leaked sandboxes through artifacts repo-wide, dry run first, then reaps and deletes their artifacts', async () => {
    const job = newJob(20);
    const main = await job.run('setup/main.js', { inputs: { ...SETUP_INPUTS, teardown: 'never' } });
    expect(main.code).toBe(0);
    const id = main.outputs['sandbox-id']!;
    // The runner died and the TTL passed: simulate the passing time on the stored record.
    const art = fake.live()[0]!;
    const blob = fake.blobs.get(art.blob)!;
    const rec = JSON.parse(blob.data.toString('utf8')) as SandboxRecord;
    rec.expires_at = new Date(Date.now() - 60_000).toISOString();
    blob.data = Buffer.from(JSON.stringify(rec));
    // …and on the backend object's expiry label, which the reaper reads before it downloads any record.
    const objFile = join(stubDir, 'objects', stubObjects()[0]!);
    const obj = JSON.parse(readFileSync(objFile, 'utf8')) as { labels: Record<string, string> };
    obj.labels['io.sandboxer.expires-at'] = rec.expires_at;
    writeFileSync(objFile, JSON.stringify(obj));

    const reaperEnv = { SANDBOXER_SCOPE: 'github:acme/app' };
    fake.failNextRest = 1; // one secondary rate limit: waited out by plugin-throttling
    const dry = await newJob(21, 'reap', reaperEnv).run('reap-stale/main.js', {
      inputs: { 'dry-run': 'true', 'min-orphan-age': '10m', token: 'ghs_test' },
    });
    expect(dry.stdout).not.toMatch(/::error/);
    expect(dry.code).toBe(0);
    expect(Number(dry.outputs.found)).toBe(1);
    expect(dry.outputs.reaped).toBe('0');
    expect(stubObjects()).toHaveLength(1);
    expect(fake.live()).toHaveLength(1);
    expect(
      fake.calls.filter((c) => c === 'rest GET /repos/acme/app/actions/artifacts').length,
    ).toBeGreaterThanOrEqual(2);

    const apply = await newJob(22, 'reap', reaperEnv).run('reap-stale/main.js', {
      inputs: { 'dry-run': 'false', 'min-orphan-age': '10m', token: 'ghs_test' },
    });
    expect(apply.stdout).not.toMatch(/::error/);
    expect(apply.code).toBe(0);
    expect(apply.outputs.reaped).toBe('1');
    const report = JSON.parse(apply.outputs.report!);
    expect(report.actions).toEqual([expect.objectContaining({ sandbox_id: id, outcome: 'done' })]);
    expect(report.artifacts).toMatchObject({ found: 1, deleted: 1 });
    expect(stubObjects()).toEqual([]);
    expect(fake.live()).toEqual([]);
    expect(fake.calls).toContain(`rest DELETE /repos/acme/app/actions/artifacts/${art.id}`);
    expect(apply.summary).toContain(id);
  });

  it('leaves live sandboxes alone and needs a token', async () => {
    const job = newJob(30);
    const main = await job.run('setup/main.js', { inputs: { ...SETUP_INPUTS, teardown: 'never' } });
    expect(main.code).toBe(0);
    const apply = await newJob(31, 'reap').run('reap-stale/main.js', {
      inputs: { 'dry-run': 'false', 'min-orphan-age': '10m', token: 'ghs_test' },
    });
    expect(apply.code).toBe(0);
    expect(apply.outputs.reaped).toBe('0');
    expect(stubObjects()).toHaveLength(1);
    expect(fake.live()).toHaveLength(1);

    const noToken = await newJob(32, 'reap', { GITHUB_TOKEN: '' }).run('reap-stale/main.js', {
      inputs: { 'dry-run': 'true', 'min-orphan-age': '10m', token: '' },
    });
    expect(noToken.code).toBe(1);
    expect(noToken.stdout).toContain('actions: write');
  });
});

afterAll(() => {
  // The fixture file is read by the schema test; keep a reference so a missing fixture fails loudly here too.
  expect(readFileSync(join(import.meta.dirname, 'fixtures/github-action.schema.json'), 'utf8')).toContain(
    'node24',
  );
});

describe('state-store: cache (bundled)', () => {
  it('keeps the record in the Actions cache, where teardown-sandbox in another job finds it', async () => {
    const cacheEnv = { ACTIONS_CACHE_SERVICE_V2: 'true' };
    const job = newJob(40, 'build', cacheEnv);
    const main = await job.run('setup/main.js', {
      inputs: { ...SETUP_INPUTS, 'state-store': 'cache', teardown: 'never' },
    });
    expect(main.stdout).not.toMatch(/::(error|warning)/);
    expect(main.code).toBe(0);
    const id = main.outputs['sandbox-id']!;
    // Mirroring coalesces the revisions of a create into one upload when they come within its delay; on a
    // loaded machine an intermediate revision can be uploaded first. Each entry is this sandbox's, by revision.
    const kept = fake.cache.filter((e) => e.finalized).map((e) => e.key);
    expect(kept.length).toBeGreaterThanOrEqual(1);
    for (const key of kept) expect(key).toMatch(new RegExp(`^sandboxer-${id}-r\\d+$`));
    expect(fake.live()).toEqual([]);

    const td = await newJob(40, 'cleanup', cacheEnv).run('teardown/main.js', {
      inputs: { 'sandbox-id': id, 'state-store': 'cache' },
    });
    expect(td.stdout).not.toMatch(/::error/);
    expect(td.code).toBe(0);
    expect(JSON.parse(td.outputs.destroyed!)).toEqual([id]);
    expect(stubObjects()).toEqual([]);
    // The cache cannot delete: the terminal record is the newest entry (a tombstone).
    expect(fake.calls).toContain('cache GetCacheEntryDownloadURL');
    expect(fake.cache.filter((e) => e.finalized).length).toBeGreaterThan(kept.length);
  });
});
