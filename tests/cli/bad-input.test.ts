import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SandboxRecord } from '../../src/core/record.ts';
import { cliSync, json } from '../helpers/cli.ts';
import { tempDir } from '../helpers/env.ts';

/**
 * Hostile input at the CLI's edge (#15): each is refused with exit 2 and one error line naming the field, echoed
 * values are cut and escaped (no injected `::warning::` line, no ANSI escape), and nothing is persisted.
 */
const tmp = tempDir('sbx-cli-bad-');
afterAll(() => tmp.cleanup());
const state = join(tmp.dir, 'state');
const env = { SANDBOXER_STATE_DIR: state, SANDBOXER_STUB_DIR: join(tmp.dir, 'cloud') };
const records = () => (existsSync(join(state, 'sandboxes')) ? readdirSync(join(state, 'sandboxes')) : []);
const collection = (name: string) =>
  existsSync(join(state, 'collections', name)) ? readdirSync(join(state, 'collections', name)) : [];
const INJECT = '\n::warning::injected\u001b[31m';

function refused(args: string[], field: RegExp, extra: NodeJS.ProcessEnv = {}) {
  const r = cliSync(args, { ...env, ...extra });
  expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(2);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(field);
  expect(lines.slice(1).every((l) => l.startsWith('hint: '))).toBe(true);
  expect(r.stderr).not.toMatch(/^::/m);
  expect(r.stderr).not.toContain('\u001b');
  expect(r.stderr.length).toBeLessThan(1000);
  return r;
}

describe('bad input at the CLI edge: exit 2, one line naming the field, nothing persisted', () => {
  it('empty --profile and --ttl', () => {
    refused(['create', '--profile', ''], /--profile is empty/);
    refused(['create', '--profile', 'profile.saas-stub', '--ttl', ''], /--ttl is empty/);
    refused(['create', '--profile', 'profile.saas-stub', '--ttl', '  '], /--ttl is empty/);
    expect(records()).toEqual([]);
  });

  it('a --ttl that overflows is a usage error, not internal', () => {
    refused(['create', '--profile', 'profile.burst-sandbox', '--ttl', '99999999999d'], /TTL .*longer than/);
    refused(['create', '--profile', 'profile.saas-stub', '--ttl', '1e400d'], /TTL/);
    expect(records()).toEqual([]);
  });

  it('echoed values are escaped and cut', () => {
    const r = refused(['create', '--profile', `profile.x${INJECT}`], /profile 'profile\.x\\n::warning::/);
    expect(r.stderr).toContain('\\u001b[31m');
    const long = `sbx-${'a'.repeat(5000)}`;
    const got = cliSync(['destroy', long], env);
    expect(got.stderr).toContain('… (5004 chars)');
    expect(got.stderr.length).toBeLessThan(600);
    refused(['create', '--profile', 'profile.saas-stub', '--ttl', `1h${INJECT}`], /invalid TTL '1h\\n/);
  });

  it('a missing SANDBOXER_CATALOG_PATH directory is reported', () => {
    refused(['list'], /SANDBOXER_CATALOG_PATH: '.*nope' is not a directory/, {
      SANDBOXER_CATALOG_PATH: join(tmp.dir, 'nope'),
    });
  });

  it('a non-numeric config value is a validation error naming the file and field', () => {
    const cat = join(tmp.dir, 'catalog');
    mkdirSync(join(cat, 'profiles'), { recursive: true });
    writeFileSync(
      join(cat, 'profiles/profile.tmo.yaml'),
      'id: profile.tmo\nversion: 1.0.0\nextension: ext.saas-stub\nconfig: { default_timeout_s: soon }\n',
    );
    refused(['create', '--profile', 'profile.tmo'], /config\.default_timeout_s/, {
      SANDBOXER_CATALOG_PATH: cat,
    });
    expect(records()).toEqual([]);
  });

  it('a bad budget or host spec is refused before any record or ledger entry', () => {
    refused(['create', '--profile', 'profile.saas-stub'], /SANDBOXER_BUDGET_USD 'lots\\n::/, {
      SANDBOXER_BUDGET_USD: `lots${INJECT}`,
    });
    refused(
      ['create', '--profile', 'profile.compose-e2e', '--input', `repo=${tmp.dir}`],
      /'a b;c' is not a host/,
      {
        SANDBOXER_HOST: 'a b;c',
        SANDBOXER_SSH_KEY: 'not-a-key',
      },
    );
    expect(records()).toEqual([]);
    expect(collection('ledger')).toEqual([]);
  });

  it('snapshot names with ../, newlines or over 200 characters', () => {
    const created = cliSync(['create', '--profile', 'profile.saas-stub', '--json'], env);
    expect(created.code).toBe(0);
    const id = json<SandboxRecord>(created).id;
    for (const [name, why] of [
      ['../../etc', /path separator/],
      [`x${INJECT}`, /control character/],
      ['n'.repeat(5000), /longer than 200/],
    ] as const) {
      refused(['snapshot', id, '--name', name], why);
    }
    expect(existsSync(join(state, 'snapshots')) ? readdirSync(join(state, 'snapshots')) : []).toEqual([]);
    expect(cliSync(['destroy', id], env).code).toBe(0);
  });
});
