import { afterAll, describe, expect, it } from 'vitest';
import { catalogRoots, getExtensionManifest, getProfile, loadCatalog } from '../../src/catalog/loader.ts';
import type { SandboxerError } from '../../src/core/errors.ts';
import { stderrLogger } from '../../src/core/logger.ts';
import type { SandboxRecord } from '../../src/core/record.ts';
import { commands } from '../../src/cli/commands/index.ts';
import { cliInProcess } from '../helpers/cli.ts';
import { tempDir } from '../helpers/env.ts';

const tmp = tempDir('sbx-cli-manners-');
afterAll(() => tmp.cleanup());
const env = { SANDBOXER_STATE_DIR: tmp.dir, SANDBOXER_STUB_DIR: `${tmp.dir}/cloud` };

const run = (argv: string[], extraEnv: NodeJS.ProcessEnv = {}) => cliInProcess(argv, { ...env, ...extraEnv });

const caught = (fn: () => unknown): SandboxerError => {
  try {
    fn();
  } catch (err) {
    return err as SandboxerError;
  }
  throw new Error('did not throw');
};

describe('CLI manners', () => {
  it('suggests the verb, the subcommand and the profile meant', async () => {
    const verb = await run(['craete', '--profile', 'profile.saas-stub']);
    expect(verb.code).toBe(2);
    expect(verb.stderr).toContain("unknown command 'craete'");
    expect(verb.stderr).toContain("did you mean 'create'?");

    const sub = await run(['profiles', 'lst']);
    expect(sub.code).toBe(2);
    expect(sub.stderr).toContain("did you mean 'profiles list'?");

    const profile = await run(['create', '--profile', 'profile.saas-stb']);
    expect(profile.code).toBe(2);
    expect(profile.stderr).toContain("profile 'profile.saas-stb' not found");
    expect(profile.stderr).toContain("did you mean 'profile.saas-stub'?");
  });

  it('suggests profile and extension ids from the catalog, with or without the prefix', () => {
    const catalog = loadCatalog(catalogRoots({}), {});
    expect(caught(() => getProfile(catalog, 'saas-stub')).hint).toMatch(
      /^did you mean 'profile\.saas-stub'\?/,
    );
    const ext = caught(() => getExtensionManifest(catalog, 'ext.compose-shh'));
    expect(ext.hint).toMatch(/^did you mean 'ext\.compose-ssh'\?/);
    expect(ext.hint).toContain('known extensions: ');
    expect(caught(() => getProfile(catalog, 'profile.nothing-like-it')).hint).toMatch(/^known profiles: /);
  });

  it('describes every option of every command in --help', async () => {
    const missing = commands.flatMap((c) =>
      Object.entries(c.options ?? {})
        .filter(([, o]) => !o.description)
        .map(([name]) => `${c.name} --${name}`),
    );
    expect(missing).toEqual([]);
    const help = await run(['list', '--help']);
    expect(help.stdout).toMatch(
      /--state VALUE\s+only these states, comma-separated or repeated \(repeatable\)/,
    );
  });

  it('list --state takes a comma-separated list, as the API does', async () => {
    const rec = JSON.parse(
      (await run(['create', '--profile', 'profile.saas-stub', '--json'])).stdout,
    ) as SandboxRecord;
    await run(['destroy', rec.id]);
    const both = await run(['list', '--state', 'ready,destroyed', '--json']);
    expect(both.code).toBe(0);
    expect((JSON.parse(both.stdout) as SandboxRecord[]).map((r) => r.id)).toContain(rec.id);
    const ready = JSON.parse((await run(['list', '--state', 'ready', '--json'])).stdout) as SandboxRecord[];
    expect(ready.map((r) => r.id)).not.toContain(rec.id);
    const bad = await run(['list', '--state', 'ready,bogus']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--state 'bogus' is not a state");
  });

  it('writes ::group:: markers only under GitHub Actions, and no colour codes', async () => {
    const plain = await run(['create', '--profile', 'profile.saas-stub'], { FORCE_COLOR: '1' });
    expect(plain.code).toBe(0);
    expect(plain.stderr).toContain('▸ provision');
    expect(plain.stderr).not.toContain('::group::');
    expect(plain.stdout + plain.stderr).not.toContain('\x1b[');

    const actions = await run(['create', '--profile', 'profile.saas-stub'], { GITHUB_ACTIONS: 'true' });
    expect(actions.code).toBe(0);
    expect(actions.stderr).toMatch(/^::group::provision sbx-/m);
    expect(actions.stderr).toMatch(/^::endgroup::$/m);
    expect(actions.stderr).not.toContain('▸');

    const lines: string[] = [];
    const log = stderrLogger({ actions: true, write: (l) => lines.push(l) });
    await expect(log.group('step', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(lines).toEqual(['::group::step', '::endgroup::']);
  });
});

describe('a fresh machine', () => {
  it('the routing error of a shipped self-hosted profile names the profile to try', async () => {
    const r = await run(['create', '--profile', 'profile.sandbox-canary']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('no candidate backend can serve profile.sandbox-canary');
    expect(r.stderr).toContain("'sandboxer create --profile profile.saas-stub' needs no backend");
    expect(r.stderr).toContain('docs/getting-started.md');
  });
});
