import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { catalogRoots, getProfile, loadCatalog } from '../../src/catalog/loader.ts';
import { tempDir } from '../helpers/env.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const tmp = tempDir('sbx-getting-started-');
afterAll(() => tmp.cleanup());

/** docs/getting-started.md's profile template is a valid profile as printed (a user copies it verbatim). */
describe('docs/getting-started.md', () => {
  it('the profile template loads from SANDBOXER_CATALOG_PATH as profile.my-host', () => {
    const md = readFileSync(join(ROOT, 'docs/getting-started.md'), 'utf8');
    const blocks = [...md.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
    const template = blocks.find((b) => /^id: profile\.my-host$/m.test(b));
    expect(template, 'no profile.my-host template in the doc').toBeDefined();
    mkdirSync(join(tmp.dir, 'profiles'));
    writeFileSync(join(tmp.dir, 'profiles', 'profile.my-host.yaml'), template!);
    const env = { SANDBOXER_CATALOG_PATH: tmp.dir };
    const profile = getProfile(loadCatalog(catalogRoots(env), env), 'profile.my-host');
    expect(profile.extension).toBe('ext.compose-ssh');
    expect(profile.placement?.preferred).toEqual(['build01.internal', 'ci@build02.internal:2222']);
    expect(profile.placement?.key_ref).toBe('env:SANDBOXER_SSH_KEY');
  });

  it('is linked from the README', () => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('(docs/getting-started.md)');
  });
});
