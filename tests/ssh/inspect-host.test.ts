import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HostTelemetry } from '../../src/extensions/compose-ssh/telemetry.ts';
import { cli, json } from '../helpers/cli.ts';
import { tempDir } from '../helpers/env.ts';
import { skipReason, testHost } from './host.ts';

/** `sandboxer inspect host` and the canary self-deploy, as real CLI processes against the loopback host. */
const reason = skipReason();
const suite = reason ? describe.skip : describe;

suite(`inspect host and the canary${reason ? ` (skipped: ${reason})` : ''}`, () => {
  const tmp = tempDir('sbx-inspect-host-');
  afterAll(() => tmp.cleanup());
  const env = () => ({
    ...testHost().env,
    SANDBOXER_STATE_DIR: join(tmp.dir, 'state'),
    SANDBOXER_BASE_DIR: join(tmp.dir, 'host'),
    // The packaged default (vitest.config.ts points other tests at the stub).
    SANDBOXER_DEFAULT_PROFILE: '',
  });

  it('`create` with no arguments self-deploys the canary with telemetry; inspect host lists it', async () => {
    const created = await cli(['create', '--json'], env());
    expect(created.code, created.stderr).toBe(0);
    const rec = json<{ id: string; state: string; profile_id: string; placement: Record<string, string> }>(
      created,
    );
    expect(rec.state).toBe('ready');
    expect(rec.profile_id).toBe('profile.sandbox-canary');
    expect(Number(rec.placement.mem_total_kib)).toBeGreaterThan(0);
    expect(Number(rec.placement.cpus)).toBeGreaterThan(0);
    expect(Number(rec.placement.sandboxer_projects)).toBeGreaterThanOrEqual(1);

    const inspected = await cli(['inspect', 'host', '--json'], env());
    expect(inspected.code, inspected.stderr).toBe(0);
    const t = json<HostTelemetry>(inspected);
    expect(t.host).toBe('127.0.0.1');
    expect(t.disk.total_kib).toBeGreaterThan(0);
    expect(t.memory.available_kib).toBeGreaterThan(0);
    expect(t.cpus).toBeGreaterThan(0);
    const mine = t.projects.find((p) => p.sandbox_id === rec.id);
    expect(mine).toMatchObject({ project: rec.id, profile: 'profile.sandbox-canary', running: 1 });

    const text = await cli(['inspect', 'host'], env());
    expect(text.stdout).toMatch(/^disk\s+.*GiB free/m);
    expect(text.stdout).toContain(rec.id);

    expect((await cli(['destroy', rec.id, '--json'], env())).code).toBe(0);
    const after = json<HostTelemetry>(await cli(['inspect', 'host', '--json'], env()));
    expect(after.projects.find((p) => p.sandbox_id === rec.id)).toBeUndefined();
  }, 180_000);

  it('refuses a profile that is not self-hosted, with exit 2', async () => {
    const r = await cli(['inspect', 'host', '--profile', 'profile.saas-stub', '--json'], env());
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error.code).toBe('usage');
  });
});
