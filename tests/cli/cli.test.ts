import { afterAll, describe, expect, it } from 'vitest';
import type { SandboxRecord } from '../../src/core/record.ts';
import { cli, cliSync, json } from '../helpers/cli.ts';
import { tempDir } from '../helpers/env.ts';

const tmp = tempDir('sbx-cli-');
afterAll(() => tmp.cleanup());
const env = { SANDBOXER_STATE_DIR: tmp.dir, SANDBOXER_STUB_DIR: `${tmp.dir}/cloud` };

describe('sandboxer CLI', () => {
  it('runs a full lifecycle on the stub profile with --json', async () => {
    const created = await cli(['create', '--profile', 'profile.saas-stub', '--json', '--ttl', '30m'], env);
    expect(created.code).toBe(0);
    const rec = json<SandboxRecord>(created);
    expect(rec.state).toBe('ready');
    expect(rec.profile_id).toBe('profile.saas-stub');
    expect(rec.labels['io.sandboxer.sandbox-id']).toBe(rec.id);
    expect(rec.ttl_s).toBe(1800);
    expect(rec.history.map((h) => h.to)).toEqual(['requested', 'provisioning', 'ready']);

    const got = json<SandboxRecord>(await cli(['get', rec.id, '--json'], env));
    expect(got.id).toBe(rec.id);
    const listed = json<SandboxRecord[]>(await cli(['list', '--json'], env));
    expect(listed.map((r) => r.id)).toContain(rec.id);

    const recreated = json<SandboxRecord>(await cli(['recreate', rec.id, '--json'], env));
    expect(recreated.id).not.toBe(rec.id);
    expect(recreated.recreated_from).toBe(rec.id);
    expect(recreated.ttl_s).toBe(1800);
    expect(json<SandboxRecord>(await cli(['get', rec.id, '--json'], env)).state).toBe('destroyed');

    const destroyed = json<SandboxRecord>(await cli(['destroy', recreated.id, '--json'], env));
    expect(destroyed.state).toBe('destroyed');
    expect(destroyed.meter?.actual_usd).toMatch(/^\d+\.\d+$/);
    // Idempotent: destroying again succeeds and changes nothing.
    const again = await cli(['destroy', recreated.id, '--json'], env);
    expect(again.code).toBe(0);
    expect(json<SandboxRecord>(again).history).toEqual(destroyed.history);

    const live = json<SandboxRecord[]>(await cli(['list', '--json'], env));
    expect(live.map((r) => r.id)).not.toContain(recreated.id);
    const all = json<SandboxRecord[]>(await cli(['list', '--all', '--json'], env));
    expect(all.map((r) => r.id)).toEqual(expect.arrayContaining([rec.id, recreated.id]));
  });

  it('prints human output with the fields a user looks for', () => {
    const r = cliSync(['create', '--profile', 'profile.saas-stub'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^id\s+sbx-[a-z0-9]{12}$/m);
    expect(r.stdout).toMatch(/^state\s+ready$/m);
    expect(r.stdout).toMatch(/^estimate\s+\$\d+\.\d+$/m);
    expect(r.stderr).toContain('provision');
  });

  it('lists the catalog', () => {
    const profiles = json<{ id: string }[]>(cliSync(['profiles', 'list', '--json'], env));
    expect(profiles).toHaveLength(8);
    const exts = json<{ id: string }[]>(cliSync(['extensions', 'list', '--json'], env));
    expect(exts.map((e) => e.id)).toContain('ext.saas-stub');
    expect(cliSync(['profiles', 'list'], env).stdout).toContain('profile.saas-stub');
  });

  it.each([
    [['frob'], 'unknown command'],
    [['create', '--bogus'], "Unknown option '--bogus'"],
    [['create', '--ttl', '5'], 'add a unit'],
    [['create', '--ttl', 'soon'], 'TTL'],
    [['create', '--ttl', '999d'], 'max'],
    [['create', '--profile', 'profile.nope'], "profile 'profile.nope' not found"],
    [['create', '--input', 'novalue'], 'novalue'],
    [['create', '--input', 'bogus=1'], 'bogus'],
    [['get'], 'usage'],
    [['destroy'], 'usage'],
    [['get', 'a', 'b'], 'usage'],
  ])('usage error %j exits 2 with a hint', (args, want) => {
    const r = cliSync(args, env);
    expect(r.code).toBe(2);
    expect(r.stderr.toLowerCase()).toContain(String(want).toLowerCase());
    expect(r.stderr).toMatch(/hint: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a runtime failure exits 1 and --json puts the error on stdout', () => {
    const r = cliSync(['get', 'sbx-000000000000', '--json'], env);
    expect(r.code).toBe(1);
    expect(json<{ error: { code: string } }>(r).error.code).toBe('not_found');
    const failed = cliSync(['create', '--profile', 'profile.saas-stub', '--json'], {
      ...env,
      SANDBOXER_STUB_FAULT: 'provision:fatal',
    });
    expect(failed.code).toBe(1);
    const body = json<{ error: { code: string; message: string } }>(failed);
    expect(body.error.message).toContain('ext.saas-stub');
    const records = json<SandboxRecord[]>(cliSync(['list', '--all', '--state', 'failed', '--json'], env));
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((x) => x.state === 'failed' && x.cleanup_pending !== true)).toBe(true);
  });

  it('every verb has --help', () => {
    for (const verb of [
      ['create'],
      ['get'],
      ['list'],
      ['destroy'],
      ['recreate'],
      ['profiles', 'list'],
      ['extensions', 'list'],
    ]) {
      const r = cliSync([...verb, '--help'], env);
      expect(r.code, verb.join(' ')).toBe(0);
      expect(r.stdout).toContain(`Usage: sandboxer ${verb.join(' ')}`);
    }
    expect(cliSync(['--version'], env).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    // A command group lists its subcommands; without --help it is still a usage error.
    for (const argv of [
      ['snapshots', '--help'],
      ['help', 'snapshots'],
      ['credits', '-h'],
    ]) {
      const r = cliSync(argv, env);
      expect(r.code, argv.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/^Usage: sandboxer (snapshots|credits) <subcommand>/);
      expect(r.stdout).toMatch(/ (snapshots list|credits show) /);
    }
    expect(cliSync(['snapshots'], env).code).toBe(2);
  });
});
