import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/env.ts';
import { FakeGitHub } from './fake-github.ts';
import { runReapAction, seedOrphan, seedSandbox, type SeedKind, type Seeded } from './reap-harness.ts';

/**
 * reap-stale's source (not the bundle) on its real REST path, against the fake GitHub over HTTP: it decides
 * from the artifact listing, the backends' labels and each run's status which records to download, reaps a
 * completed run's sandboxes (and a killed create) now, and deletes only the artifacts of what it reaped.
 */
const ACTIVE = 501;
const DONE = 502;

describe('reap-stale on the REST path', () => {
  let fake: FakeGitHub;
  const tmp = tempDir('sbx-reap-rest-');
  const stubDir = join(tmp.dir, 'cloud');
  const seeded: Seeded[] = [];
  const orphans: Record<string, string> = {};
  const objects = () => readdirSync(join(stubDir, 'objects')).sort();

  beforeAll(async () => {
    fake = await new FakeGitHub().start();
    fake.runs.set(ACTIVE, 'in_progress').set(DONE, 'completed');
    const plan: [SeedKind, number, number][] = [
      ['healthy', ACTIVE, 10],
      ['lost', DONE, 3],
      ['killed', DONE, 2],
      ['cleanup', DONE, 1],
      ['expired', ACTIVE, 2],
      ['gone', ACTIVE, 2],
    ];
    for (const [kind, run, n] of plan)
      for (let i = 0; i < n; i++) seeded.push(seedSandbox(fake, stubDir, kind, run));
    orphans.done = seedOrphan(stubDir, DONE, 60_000); // young, but its run is over
    orphans.active = seedOrphan(stubDir, ACTIVE, 60_000); // young, its run may still be creating it
  });
  afterAll(async () => {
    await fake.stop();
    tmp.cleanup();
  });

  it('dry run: reads only the candidates and changes nothing', async () => {
    const before = { objects: objects(), artifacts: fake.live().length };
    const res = await runReapAction({
      fake,
      stubDir,
      dir: join(tmp.dir, 'dry'),
      run: 900,
      inputs: { 'dry-run': 'true', 'min-orphan-age': '30m', token: 'ghs_test' },
    });
    expect(res.stdout).not.toMatch(/::error/);
    expect(res.code).toBe(0);
    expect(Number(res.outputs.found)).toBe(10 + 1); // the stale records and the orphan of the completed run
    expect(objects()).toEqual(before.objects);
    expect(fake.live()).toHaveLength(before.artifacts);
    const report = JSON.parse(res.outputs.report!);
    expect(report.artifacts).toEqual({ found: 20, downloaded: 10, deleted: 0 });
  });

  it('apply: reaps the completed run’s sandboxes now, the expired and the gone; REST calls stay in budget', async () => {
    fake.calls.splice(0);
    const res = await runReapAction({
      fake,
      stubDir,
      dir: join(tmp.dir, 'apply'),
      run: 901,
      inputs: { 'dry-run': 'false', 'min-orphan-age': '30m', token: 'ghs_test' },
    });
    expect(res.stdout).not.toMatch(/::error/);
    expect(res.code).toBe(0);
    const report = JSON.parse(res.outputs.report!);
    const kinds = Object.fromEntries(
      report.actions.map((a: { sandbox_id: string; kind: string; outcome: string }) => [
        a.sandbox_id,
        `${a.kind}:${a.outcome}`,
      ]),
    );
    const expected: Record<string, string> = {
      [orphans.done!]: 'orphaned:done',
      [orphans.active!]: 'orphaned:skipped',
    };
    const want: Record<string, string> = {
      lost: 'abandoned',
      killed: 'abandoned',
      cleanup: 'cleanup',
      expired: 'expired',
      gone: 'gone',
    };
    for (const s of seeded) if (s.kind !== 'healthy') expected[s.id] = `${want[s.kind]}:done`;
    expect(kinds).toEqual(expected);

    const healthy = seeded.filter((s) => s.kind === 'healthy');
    expect(objects()).toEqual(
      [...healthy.map((s) => s.object!), `stub-${orphans.active!.slice(4)}.json`].sort(),
    );
    expect(
      fake
        .live()
        .map((a) => a.id)
        .sort(),
    ).toEqual(healthy.map((s) => s.artifactId).sort());
    expect(report.artifacts).toEqual({ found: 20, downloaded: 10, deleted: 10 });

    // Healthy records are never downloaded; one question per distinct run; the budget of issue #14.
    const rest = fake.restCalls();
    for (const s of healthy)
      expect(rest).not.toContain(`rest GET /repos/acme/app/actions/artifacts/${s.artifactId}/zip`);
    expect(rest.filter((c) => c.includes('/actions/runs/')).sort()).toEqual([
      `rest GET /repos/acme/app/actions/runs/${ACTIVE}`,
      `rest GET /repos/acme/app/actions/runs/${DONE}`,
    ]);
    const stale = 10;
    expect(rest.length).toBeLessThanOrEqual(Math.ceil(20 / 100) + 2 * stale + 3);
    expect(existsSync(join(tmp.dir, 'apply', 'summary'))).toBe(true);
  });
});

describe('reap-stale and a sandbox the setup post kept on purpose', () => {
  let fake: FakeGitHub;
  const tmp = tempDir('sbx-reap-kept-');
  const stubDir = join(tmp.dir, 'cloud');
  beforeAll(async () => {
    fake = await new FakeGitHub().start();
  });
  afterAll(async () => {
    await fake.stop();
    tmp.cleanup();
  });
  const setup = (run: number, teardown: string, fn = 'setupMain', state?: Record<string, string>) =>
    runReapAction({
      fake,
      stubDir,
      run,
      job: 'build',
      dir: join(tmp.dir, `job-${run}`),
      module: 'src/action/setup.ts',
      fn,
      inputs: { profile: 'profile.saas-stub', ttl: '2h', 'state-store': 'artifact', teardown },
      env: { SANDBOXER_STATE_DIR: join(tmp.dir, `job-${run}`, 'state') },
      ...(state ? { state } : {}),
    });

  it('a kept sandbox lives to its TTL after its run; one whose runner died is reaped at once', async () => {
    const kept = await setup(601, 'never');
    expect(kept.code).toBe(0);
    const post = await setup(601, 'never', 'setupPost', kept.state);
    expect(post.stdout).toMatch(/is kept \(teardown: never\)/);
    const died = await setup(602, 'post'); // its runner died: no post step ran
    expect(died.code).toBe(0);
    fake.runs.set(601, 'completed').set(602, 'completed');

    const res = await runReapAction({
      fake,
      stubDir,
      dir: join(tmp.dir, 'reap'),
      run: 603,
      inputs: { 'dry-run': 'false', 'min-orphan-age': '30m', token: 'ghs_test' },
    });
    expect(res.code).toBe(0);
    const report = JSON.parse(res.outputs.report!);
    expect(report.actions).toEqual([
      expect.objectContaining({ sandbox_id: died.outputs['sandbox-id'], kind: 'abandoned', outcome: 'done' }),
    ]);
    expect(readdirSync(join(stubDir, 'objects'))).toHaveLength(1);
    expect(fake.live().map((a) => a.name)).toEqual([expect.stringContaining(kept.outputs['sandbox-id']!)]);
  });
});
