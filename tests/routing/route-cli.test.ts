import { afterAll, describe, expect, it } from 'vitest';
import { RouteExplanation } from '../../src/routing/types.ts';
import { cli, json } from '../helpers/cli.ts';
import { tempDir } from '../helpers/env.ts';

const tmp = tempDir('sbx-route-cli-');
afterAll(() => tmp.cleanup());
const env = {
  SANDBOXER_STATE_DIR: tmp.dir,
  HOME: tmp.dir,
  E2B_API_KEY: '',
  MODAL_TOKEN_ID: '',
  MODAL_TOKEN_SECRET: '',
};

describe('sandboxer route explain', () => {
  it('--json: every candidate with estimate, latency, credential status and decision', async () => {
    const r = await cli(['route', 'explain', '--profile', 'profile.burst-sandbox', '--json'], env);
    expect(r.code).toBe(0);
    const x = RouteExplanation.parse(json(r));
    expect(x.candidates.map((c) => c.extension_id).sort()).toEqual(['ext.e2b', 'ext.modal', 'ext.saas-stub']);
    expect(x.picked).toBe('ext.saas-stub');
    for (const c of x.candidates.filter((c) => c.extension_id !== 'ext.saas-stub')) {
      expect(c.decision).toBe('skipped');
      // Either the adapter is not built in yet, or its credential is missing: both are said.
      expect(c.reason).toMatch(/no implementation registered|credential \w+ \(env:[A-Z0-9_]+\) unavailable/);
    }
    expect(x.candidates.every((c) => c.latency_s !== undefined && c.latency_source === 'default')).toBe(true);
  });

  it('table output names the strategy and the fallback; --route overrides the strategy', async () => {
    const r = await cli(
      ['route', 'explain', '--profile', 'profile.burst-sandbox', '--route', 'lowest-cost', '--ttl', '10m'],
      env,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('profile profile.burst-sandbox, strategy lowest-cost, estimates for 600s');
    expect(r.stdout).toMatch(/CANDIDATE\s+KIND\s+ESTIMATE\s+LATENCY\s+CREDENTIALS\s+DECISION\s+WHY/);
    expect(r.stdout).toContain('create would use ext.saas-stub');
  });

  it('usage errors exit 2', async () => {
    const noProfile = await cli(['route', 'explain', '--json'], env);
    expect(noProfile.code).toBe(2);
    expect(json<{ error: { code: string } }>(noProfile).error.code).toBe('usage');
    const badRoute = await cli(
      ['route', 'explain', '--profile', 'profile.burst-sandbox', '--route', 'fastest'],
      env,
    );
    expect(badRoute.code).toBe(2);
    expect(badRoute.stderr).toContain("--route 'fastest' is not a strategy");
  });
});
