import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorCheck } from '../../src/extensions/compose-ssh/doctor.ts';
import { cli, json } from '../helpers/cli.ts';
import { tempDir } from '../helpers/env.ts';
import { skipReason, testHost } from './host.ts';

/** `sandboxer doctor` as a real CLI process against the loopback SSH + podman host. */
const reason = skipReason();
const suite = reason ? describe.skip : describe;

interface Report {
  profile: string;
  extension: string;
  ok: boolean;
  checks: DoctorCheck[];
}

suite(`sandboxer doctor${reason ? ` (skipped: ${reason})` : ''}`, () => {
  const tmp = tempDir('sbx-doctor-');
  afterAll(() => tmp.cleanup());
  let closed = 0;
  beforeAll(async () => {
    const s = createServer();
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    closed = (s.address() as { port: number }).port;
    await new Promise<void>((resolve) => s.close(() => resolve()));
  });
  const env = (extra: NodeJS.ProcessEnv = {}) => ({
    ...testHost().env,
    SANDBOXER_STATE_DIR: join(tmp.dir, 'state'),
    SANDBOXER_BASE_DIR: join(tmp.dir, 'host'),
    ...extra,
  });
  const byName = (r: Report) => Object.fromEntries(r.checks.map((c) => [c.check, c]));

  it('passes every check on a working host', async () => {
    const r = await cli(['doctor', '--profile', 'profile.compose-e2e', '--json'], env());
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const report = json<Report>(r);
    expect(report).toMatchObject({ profile: 'profile.compose-e2e', extension: 'ext.compose-ssh', ok: true });
    expect(report.checks.map((c) => c.check)).toEqual([
      'placement',
      'ssh port',
      'host key',
      'ssh login',
      'compose',
      'engine',
      'disk',
    ]);
    expect(report.checks.every((c) => c.ok)).toBe(true);
    expect(byName(report)['host key']!.detail).toContain(testHost().hostKeySha256);
    const text = await cli(['doctor', '--profile', 'profile.compose-e2e'], env());
    expect(text.stdout).toMatch(/^ {2}ok {4}disk +\d+\.\d GiB free/m);
  }, 120_000);

  it('a profile written from the getting-started template, its host found through placement.preferred', async () => {
    const catalog = join(tmp.dir, 'catalog');
    mkdirSync(join(catalog, 'profiles'), { recursive: true });
    const h = testHost();
    // The template of docs/getting-started.md ("a platform engineer"), with this machine's loopback host.
    writeFileSync(
      join(catalog, 'profiles', 'profile.my-host.yaml'),
      [
        'id: profile.my-host',
        'version: 1.0.0',
        "description: Our team's compose stacks on our own SSH host.",
        'extension: ext.compose-ssh',
        'placement:',
        `  preferred: [127.0.0.1:${closed}, 127.0.0.1:${h.port}]`,
        '  user: root',
        '  key_ref: env:SANDBOXER_SSH_KEY',
        `  host_key_sha256: ${h.hostKeySha256}`,
        'inputs:',
        '  repo: { description: local directory holding the compose project, required: true, kind: path }',
        'ttl: { default: 1h, max: 8h }',
        '',
      ].join('\n'),
    );
    const e = env({ SANDBOXER_CATALOG_PATH: catalog, SANDBOXER_HOST: '' });
    const r = await cli(['doctor', '--profile', 'profile.my-host', '--json'], e);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const checks = byName(json<Report>(r));
    expect(checks.placement!.detail).toBe(`root@127.0.0.1:${h.port}`);
    expect(checks['host key']!.detail).toContain('(pinned)');
  }, 120_000);

  it('a profile written by sandboxer init host passes every check', async () => {
    const h = testHost();
    const catalog = join(tmp.dir, 'init-catalog');
    const e = env({ SANDBOXER_CATALOG_PATH: catalog, SANDBOXER_HOST: '' });
    const init = await cli(
      [
        'init',
        'host',
        '--host',
        `root@127.0.0.1:${h.port}`,
        '--name',
        'loopback',
        '--host-key-sha256',
        h.hostKeySha256,
      ],
      { ...e, SANDBOXER_CATALOG_PATH: catalog },
    );
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain('sandboxer doctor --profile profile.loopback');
    const r = await cli(['doctor', '--profile', 'profile.loopback', '--json'], e);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const checks = byName(json<Report>(r));
    expect(checks.placement!.detail).toBe(`root@127.0.0.1:${h.port}`);
    expect(checks['host key']!.detail).toContain('(pinned)');
  }, 120_000);

  it('names what fails: a closed SSH port, an unknown host key', async () => {
    const port = await cli(
      ['doctor', '--profile', 'profile.compose-e2e', '--json'],
      env({ SANDBOXER_HOST: `root@127.0.0.1:${closed}` }),
    );
    expect(port.code).toBe(1);
    const p = byName(json<Report>(port));
    expect(p['ssh port']).toMatchObject({ ok: false });
    expect(p['ssh login']).toBeUndefined();

    const empty = join(tmp.dir, 'empty_known_hosts');
    writeFileSync(empty, '');
    const key = await cli(
      ['doctor', '--profile', 'profile.compose-e2e', '--json'],
      env({ SANDBOXER_KNOWN_HOSTS: empty }),
    );
    expect(key.code).toBe(1);
    const k = byName(json<Report>(key));
    expect(k['host key']).toMatchObject({ ok: false });
    expect(k['host key']!.detail).toContain('is not in');
    expect(k['host key']!.hint).toContain('ssh-keyscan');
  }, 120_000);

  it('a profile that is not self-hosted has no host to check', async () => {
    const r = await cli(['doctor', '--profile', 'profile.saas-stub'], env());
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('no self-hosted placement host to check');
  });
});
