import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { catalogRoots, getProfile, loadCatalog } from '../../src/catalog/loader.ts';
import { cliInProcess } from '../helpers/cli.ts';
import { tempDir } from '../helpers/env.ts';

const tmp = tempDir('sbx-init-host-');
afterAll(() => tmp.cleanup());

const run = (argv: string[], env: NodeJS.ProcessEnv = {}) =>
  cliInProcess(argv, { SANDBOXER_STATE_DIR: join(tmp.dir, 'state'), ...env });

describe('sandboxer init host', () => {
  const dir = join(tmp.dir, 'catalog');
  const file = join(dir, 'profiles', 'profile.build01.yaml');

  it('writes a profile the catalog loads, and says what to run next', async () => {
    const r = await run([
      'init',
      'host',
      '--host',
      'ci@build01.internal:2222',
      '--name',
      'build01',
      '--known-hosts',
      '/etc/sandboxer/known_hosts',
      '--compose-cmd',
      'podman-compose',
      '--dir',
      dir,
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { file: string; next: string[] };
    expect(out.file).toBe(file);
    expect(out.next).toEqual([
      `export SANDBOXER_CATALOG_PATH=${dir}`,
      expect.stringContaining('export SANDBOXER_SSH_KEY='),
      'sandboxer doctor --profile profile.build01',
    ]);
    const profile = getProfile(loadCatalog(catalogRoots({ SANDBOXER_CATALOG_PATH: dir })), 'profile.build01');
    expect(profile).toMatchObject({
      extension: 'ext.compose-ssh',
      placement: {
        host: 'build01.internal',
        user: 'ci',
        port: 2222,
        key_ref: 'env:SANDBOXER_SSH_KEY',
        known_hosts: '/etc/sandboxer/known_hosts',
      },
      inputs: { repo: { required: true, kind: 'path' } },
      ttl: { default: '1h', max: '8h' },
      config: { compose_cmd: 'podman-compose' },
    });
    expect(readFileSync(file, 'utf8')).toMatch(/^# yaml-language-server: \$schema=/);

    // Already on SANDBOXER_CATALOG_PATH (the default DIR): no export line; the text form names the file.
    const again = await run(['init', 'host', '--host', 'build02', '--name', 'b2'], {
      SANDBOXER_CATALOG_PATH: dir,
    });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('profile.b2 on ext.compose-ssh, sandboxer@build02:22');
    expect(again.stdout).not.toContain('SANDBOXER_CATALOG_PATH');
    expect(again.stdout).toContain('sandboxer doctor --profile profile.b2');
  });

  it('refuses to replace an existing profile without --force', async () => {
    writeFileSync(file, 'hand-edited');
    const refused = await run(['init', 'host', '--host', 'build01', '--name', 'build01', '--dir', dir]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('exists');
    expect(refused.stderr).toContain('--force');
    expect(readFileSync(file, 'utf8')).toBe('hand-edited');

    const forced = await run([
      'init',
      'host',
      '--host',
      'build01',
      '--name',
      'build01',
      '--dir',
      dir,
      '--force',
    ]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('host: build01');
  });

  it('checks every value as the catalog does and names the flag; writes nothing then', async () => {
    const bad = async (...flags: string[]) => {
      const r = await run(['init', 'host', '--name', 'bad', '--dir', dir, ...flags]);
      expect(r.code).toBe(2);
      return r.stderr;
    };
    expect(await bad('--host', 'h', '--key-ref', 'my-key')).toContain(
      '--key-ref: must be env:NAME, file:PATH or vault:',
    );
    expect(await bad('--host', 'h', '--ttl', '5x')).toContain("--ttl: invalid duration '5x'");
    expect(await bad('--host', 'h', '--host-key-sha256', 'abc')).toContain(
      '--host-key-sha256: must be SHA256:',
    );
    expect(await bad('--host', 'not a host')).toContain("'not a host' is not a host");
    expect(await bad('--host', 'h', '--port', '70000')).toContain('--port');
    expect(await bad('--host', 'h', '--known-hosts', 'k', '--host-key-sha256', 'x')).toContain('not both');
    expect(await bad()).toContain('missing --host');
    expect(loadCatalog(catalogRoots({ SANDBOXER_CATALOG_PATH: dir })).profiles.has('profile.bad')).toBe(
      false,
    );
  });
});
