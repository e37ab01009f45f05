import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliSync, json } from '../helpers/cli.ts';
import { tempDir } from '../helpers/env.ts';

/**
 * One malformed catalog file must not block tearing down what exists: list, get, destroy and reap-stale load
 * the catalog leniently (the broken file is a warning naming it) and work from what the record holds, while
 * create and `profiles list` (the validation verb) still fail on it with exit 2.
 */
const tmp = tempDir('sbx-lenient-');
const root = join(tmp.dir, 'catalog');
const file = join(root, 'profiles', 'profile.mine.yaml');
const env = { SANDBOXER_CATALOG_PATH: root, SANDBOXER_STATE_DIR: join(tmp.dir, 'state') };
afterAll(() => tmp.cleanup());

interface Rec {
  id: string;
  state: string;
  cleanup_pending?: boolean;
}

describe('a broken catalog file', () => {
  it('leaves list, get, destroy and reap-stale working on existing sandboxes; create stays strict', async () => {
    mkdirSync(join(root, 'profiles'), { recursive: true });
    writeFileSync(
      file,
      [
        'id: profile.mine',
        'version: 1.0.0',
        'description: a stub profile that breaks after its sandboxes exist',
        'extension: ext.saas-stub',
        'resources: { cpu: 1, memory_mib: 512 }',
        'ttl: { default: 1h, max: 2h }',
        '',
      ].join('\n'),
    );
    const a = json<Rec>(cliSync(['create', '--profile', 'profile.mine', '--json'], env));
    const b = json<Rec>(cliSync(['create', '--profile', 'profile.mine', '--ttl', '2s', '--json'], env));
    // The very profile these sandboxes were made from is now malformed YAML.
    writeFileSync(file, 'id: [profile.mine\nversion: 1.0.0\n');
    await new Promise((r) => setTimeout(r, 2500)); // b's TTL lapses

    const list = cliSync(['list', '--json'], env);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stderr).toMatch(/warning: catalog: .*profile\.mine\.yaml:\d+:\d+: invalid YAML/);
    expect(
      json<Rec[]>(list)
        .map((r) => r.id)
        .sort(),
    ).toEqual([a.id, b.id].sort());
    expect(cliSync(['get', a.id, '--json'], env).code).toBe(0);

    const destroyed = cliSync(['destroy', a.id, '--json'], env);
    expect(destroyed.code, destroyed.stderr).toBe(0);
    expect(json<Rec>(destroyed).state).toBe('destroyed');

    const reaped = cliSync(['reap-stale', '--apply', '--json'], env);
    expect(reaped.code, reaped.stderr).toBe(0);
    const after = json<Rec>(cliSync(['get', b.id, '--json'], env));
    expect([after.state, after.cleanup_pending ?? false]).toEqual(['expired', false]);

    for (const args of [
      ['create', '--profile', 'profile.saas-stub', '--json'],
      ['profiles', 'list'],
    ]) {
      const strict = cliSync(args, env);
      expect(strict.code, args.join(' ')).toBe(2);
      expect(strict.stderr).toMatch(/profile\.mine\.yaml:\d+:\d+: invalid YAML/);
    }
  });
});
