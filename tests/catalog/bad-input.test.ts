import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { catalogRoots, loadCatalog } from '../../src/catalog/loader.ts';
import { CatalogError } from '../../src/catalog/yaml-errors.ts';
import { cliSync } from '../helpers/cli.ts';
import { tempDir } from '../helpers/env.ts';

const OK_PROFILE = `id: profile.case
version: 1.0.0
extension: ext.saas-stub
`;

interface Case {
  name: string;
  file: string;
  text: string;
  /** Substrings the single error must contain (file, field, reason). */
  expect: (string | RegExp)[];
}

const cases: Case[] = [
  {
    name: 'YAML syntax error names the line',
    file: 'profiles/profile.case.yaml',
    text: 'id: profile.case\nversion: [1.0.0\n',
    expect: ['profile.case.yaml:', 'invalid YAML'],
  },
  {
    name: 'duplicate key',
    file: 'profiles/profile.case.yaml',
    text: OK_PROFILE + 'version: 2.0.0\n',
    expect: ['profile.case.yaml:4', 'invalid YAML'],
  },
  {
    name: 'top level is a list',
    file: 'profiles/profile.case.yaml',
    text: '- a\n- b\n',
    expect: ['profile.case.yaml', 'expected a mapping'],
  },
  {
    name: 'empty file',
    file: 'profiles/profile.case.yaml',
    text: '',
    expect: ['profile.case.yaml', 'expected a mapping'],
  },
  {
    name: 'missing version',
    file: 'profiles/profile.case.yaml',
    text: 'id: profile.case\nextension: ext.saas-stub\n',
    expect: ['profile.case.yaml', 'version', 'required field is missing'],
  },
  {
    name: 'version is not semver',
    file: 'profiles/profile.case.yaml',
    text: OK_PROFILE.replace('1.0.0', 'one'),
    expect: ['profile.case.yaml:2:', 'version', 'semantic version'],
  },
  {
    name: 'id does not match the file name',
    file: 'profiles/profile.case.yaml',
    text: OK_PROFILE.replace('profile.case', 'profile.other'),
    expect: ['profile.case.yaml:1:', 'id', 'does not match the file name'],
  },
  {
    name: 'id has the wrong prefix',
    file: 'profiles/profile.case.yaml',
    text: OK_PROFILE.replace('profile.case', 'case'),
    expect: ['profile.case.yaml:1:', 'id', 'profile.<name>'],
  },
  {
    name: 'unknown field (typo)',
    file: 'profiles/profile.case.yaml',
    text: OK_PROFILE + 'resorces: { cpu: 2 }\n',
    expect: ['profile.case.yaml', "unknown field 'resorces'"],
  },
  {
    name: 'neither extension nor route',
    file: 'profiles/profile.case.yaml',
    text: 'id: profile.case\nversion: 1.0.0\n',
    expect: ['profile.case.yaml', 'extension', 'set either extension or route'],
  },
  {
    name: 'both extension and route',
    file: 'profiles/profile.case.yaml',
    text: OK_PROFILE + 'route: { candidates: [ext.saas-stub] }\n',
    expect: ['profile.case.yaml', 'route', 'not both'],
  },
  {
    name: 'unknown extension',
    file: 'profiles/profile.case.yaml',
    text: OK_PROFILE.replace('ext.saas-stub', 'ext.nope'),
    expect: ['profile.case.yaml:3:', 'extension', "unknown extension 'ext.nope'"],
  },
  {
    name: 'route candidate listed twice',
    file: 'profiles/profile.case.yaml',
    text: 'id: profile.case\nversion: 1.0.0\nroute:\n  candidates: [ext.saas-stub, ext.saas-stub]\n',
    expect: ['profile.case.yaml:4:', 'route.candidates[1]', 'listed twice'],
  },
  {
    name: 'empty route',
    file: 'profiles/profile.case.yaml',
    text: 'id: profile.case\nversion: 1.0.0\nroute:\n  candidates: []\n',
    expect: ['profile.case.yaml', 'route.candidates', 'at least one'],
  },
  {
    name: 'unknown route strategy',
    file: 'profiles/profile.case.yaml',
    text: 'id: profile.case\nversion: 1.0.0\nroute:\n  strategy: cheapest\n  candidates: [ext.saas-stub]\n',
    expect: ['profile.case.yaml:4:', 'route.strategy'],
  },
  {
    name: 'cpu is a string',
    file: 'profiles/profile.case.yaml',
    text: OK_PROFILE + 'resources: { cpu: "two" }\n',
    expect: ['profile.case.yaml:4:', 'resources.cpu', 'expected number'],
  },
  {
    name: 'negative memory',
    file: 'profiles/profile.case.yaml',
    text: OK_PROFILE + 'resources: { memory_mib: -5 }\n',
    expect: ['profile.case.yaml:4:', 'resources.memory_mib'],
  },
  {
    name: 'ttl is not a duration',
    file: 'profiles/profile.case.yaml',
    text: OK_PROFILE + 'ttl: { default: forever }\n',
    expect: ['profile.case.yaml:4:', 'ttl.default', 'invalid duration'],
  },
  {
    name: 'bare number ttl (unit missing)',
    file: 'profiles/profile.case.yaml',
    text: OK_PROFILE + "ttl: { default: '30' }\n",
    expect: ['profile.case.yaml:4:', 'ttl.default', 'invalid duration'],
  },
  {
    name: 'ttl default above max',
    file: 'profiles/profile.case.yaml',
    text: OK_PROFILE + 'ttl: { default: 3h, max: 1h }\n',
    expect: ['profile.case.yaml:4:', 'ttl.default', 'exceeds max'],
  },
  {
    name: 'required input with a default',
    file: 'profiles/profile.case.yaml',
    text: OK_PROFILE + 'inputs:\n  repo: { required: true, default: "." }\n',
    expect: ['profile.case.yaml:5:', 'inputs.repo.default', 'required input'],
  },
  {
    name: 'input name not snake_case',
    file: 'profiles/profile.case.yaml',
    text: OK_PROFILE + 'inputs:\n  Repo-Dir: { required: true }\n',
    expect: ['profile.case.yaml', 'inputs', 'snake_case'],
  },
  {
    name: 'SSH key given inline instead of a secret_ref',
    file: 'profiles/profile.case.yaml',
    text: OK_PROFILE + 'placement: { key_ref: "-----BEGIN OPENSSH PRIVATE KEY-----" }\n',
    expect: ['profile.case.yaml:4:', 'placement.key_ref', 'env:NAME'],
  },
  {
    name: 'bad host key fingerprint',
    file: 'profiles/profile.case.yaml',
    text: OK_PROFILE + 'placement: { host_key_sha256: "MD5:aa:bb" }\n',
    expect: ['profile.case.yaml:4:', 'placement.host_key_sha256', 'SHA256:'],
  },
  {
    name: 'port out of range',
    file: 'profiles/profile.case.yaml',
    text: OK_PROFILE + 'placement: { port: 70000 }\n',
    expect: ['profile.case.yaml:4:', 'placement.port'],
  },
  {
    name: 'second default profile',
    file: 'profiles/profile.case.yaml',
    text: OK_PROFILE + 'default: true\n',
    expect: ['default', 'more than one profile is marked default'],
  },
  {
    name: 'extension: price as a YAML number (float drift)',
    file: 'extensions/ext.case.yaml',
    text: 'id: ext.case\nversion: 1.0.0\nname: Case\nkind: saas\npricing: { model: metered, per_second_usd: 0.00001 }\n',
    expect: ['ext.case.yaml:5:', 'pricing.per_second_usd', 'quote it in YAML'],
  },
  {
    name: 'extension: metered without any rate',
    file: 'extensions/ext.case.yaml',
    text: 'id: ext.case\nversion: 1.0.0\nname: Case\nkind: saas\npricing: { model: metered }\n',
    expect: ['ext.case.yaml', 'pricing'],
  },
  {
    name: 'extension: credential secret_ref with unknown scheme',
    file: 'extensions/ext.case.yaml',
    text: 'id: ext.case\nversion: 1.0.0\nname: Case\nkind: saas\ncredentials:\n  - { name: api_key, secret_ref: "s3://bucket/key" }\n',
    expect: ['ext.case.yaml:6:', 'credentials[0].secret_ref', 'env:NAME'],
  },
  {
    name: 'extension: unknown capability',
    file: 'extensions/ext.case.yaml',
    text: 'id: ext.case\nversion: 1.0.0\nname: Case\nkind: saas\ncapabilities: { teleport: true }\n',
    expect: ['ext.case.yaml', "unknown field 'teleport'"],
  },
];

describe('catalog: every broken file gives one clear error naming file and field', () => {
  const tmp = tempDir('sbx-catalog-bad-');
  afterAll(() => tmp.cleanup());

  it('has at least 20 cases', () => expect(cases.length).toBeGreaterThanOrEqual(20));

  cases.forEach((c, i) => {
    it(c.name, () => {
      const root = join(tmp.dir, `case-${i}`);
      mkdirSync(join(root, 'profiles'), { recursive: true });
      mkdirSync(join(root, 'extensions'), { recursive: true });
      writeFileSync(join(root, c.file), c.text);
      let caught: unknown;
      try {
        loadCatalog([...catalogRoots({}), root], {});
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(CatalogError);
      const err = caught as CatalogError;
      expect(err.exitCode).toBe(2);
      for (const want of c.expect) {
        if (typeof want === 'string') expect(err.message).toContain(want);
        else expect(err.message).toMatch(want);
      }
      expect(err.message).not.toMatch(/\n\s+at /);
    });
  });

  it('the CLI reports a broken catalog with exit 2, one line per issue, no stack trace', () => {
    const root = join(tmp.dir, 'cli');
    mkdirSync(join(root, 'profiles'), { recursive: true });
    writeFileSync(join(root, 'profiles/profile.case.yaml'), OK_PROFILE + 'resources: { cpu: "two" }\n');
    const env = { SANDBOXER_CATALOG_PATH: root, SANDBOXER_STATE_DIR: join(tmp.dir, 'state') };
    const human = cliSync(['profiles', 'list'], env);
    expect(human.code).toBe(2);
    expect(human.stderr).toMatch(/profile\.case\.yaml:4:\d+: resources\.cpu: /);
    expect(human.stderr).not.toMatch(/\n\s+at /);
    const machine = cliSync(['create', '--json'], env);
    expect(machine.code).toBe(2);
    const body = JSON.parse(machine.stdout) as { error: { code: string; message: string; hint: string } };
    expect(body.error.code).toBe('validation');
    expect(body.error.message).toContain('resources.cpu');
    expect(body.error.hint).toContain('schemas/');
  });
});

describe('the packaged catalog', () => {
  it('loads the eight profiles and five extensions; the canary is the default', () => {
    const c = loadCatalog(catalogRoots({}), {});
    expect([...c.extensions.keys()].sort()).toEqual([
      'ext.compose-ssh',
      'ext.e2b',
      'ext.modal',
      'ext.saas-stub',
      'ext.vm-packer',
    ]);
    expect([...c.profiles.keys()].sort()).toEqual([
      'profile.burst-sandbox',
      'profile.compose-checkpoint',
      'profile.compose-e2e',
      'profile.e2b-burst',
      'profile.modal-gpu',
      'profile.saas-stub',
      'profile.sandbox-canary',
      'profile.vm-haskell-build',
    ]);
    expect(c.defaultProfileId).toBe('profile.sandbox-canary');
    expect(c.profiles.get(c.defaultProfileId)?.value.default).toBe(true);
  });

  it('SANDBOXER_DEFAULT_PROFILE overrides the default, and an unknown one is a clear error', () => {
    const env = { SANDBOXER_DEFAULT_PROFILE: 'profile.saas-stub' };
    expect(loadCatalog(catalogRoots({}), env).defaultProfileId).toBe('profile.saas-stub');
    expect(() => loadCatalog(catalogRoots({}), { SANDBOXER_DEFAULT_PROFILE: 'profile.nope' })).toThrow(
      /SANDBOXER_DEFAULT_PROFILE: names unknown profile 'profile.nope'/,
    );
  });
});
