import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPILED_CATALOG_FILE, sha256 } from '../../src/catalog/compiled.ts';
import { compileCatalog, loadCatalog } from '../../src/catalog/loader.ts';
import { tempDir } from '../helpers/env.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const tmp = tempDir('sbx-compiled-catalog-');
afterAll(() => tmp.cleanup());

/** A copy of the built package (bin/, dist/, profiles/, extensions/) that each test may edit. */
function installCopy(name: string): string {
  const dir = join(tmp.dir, name);
  for (const part of ['bin', 'dist', 'profiles', 'extensions'])
    cpSync(join(ROOT, part), join(dir, part), { recursive: true });
  return dir;
}

function cli(dir: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [join(dir, 'bin/sandboxer.js'), ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', SANDBOXER_STATE_DIR: join(dir, 'state') },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const description = (dir: string, id: string): string => {
  const r = cli(dir, 'profiles', 'list', '--json');
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { id: string; description: string }[]).find((p) => p.id === id)!
    .description;
};

describe('compiled catalog (dist/catalog.json)', () => {
  beforeAll(() => {
    // The bundle under test must be the current build (check-dist proves that; this only says why it failed).
    expect(readFileSync(join(ROOT, 'dist', COMPILED_CATALOG_FILE), 'utf8')).toBe(
      JSON.stringify(compileCatalog(ROOT)) + '\n',
    );
  });

  it('holds exactly what loading the YAML yields, keyed by the hash of each file', () => {
    const compiled = compileCatalog(ROOT);
    const loaded = loadCatalog([ROOT], {});
    const ids = [...loaded.profiles.keys(), ...loaded.extensions.keys()];
    expect(Object.keys(compiled.files)).toHaveLength(ids.length);
    for (const [relPath, { sha256: hash, value }] of Object.entries(compiled.files)) {
      expect(hash).toBe(sha256(readFileSync(join(ROOT, relPath), 'utf8')));
      const id = (value as { id: string }).id;
      expect(value).toEqual(loaded.profiles.get(id)?.value ?? loaded.extensions.get(id)?.value);
    }
  });

  it('is what the bundle uses for an unchanged file (a doctored value shows through)', () => {
    const dir = installCopy('doctored');
    const file = join(dir, 'dist', COMPILED_CATALOG_FILE);
    const compiled = JSON.parse(readFileSync(file, 'utf8'));
    compiled.files['profiles/profile.saas-stub.yaml'].value.description = 'from catalog.json';
    writeFileSync(file, JSON.stringify(compiled));
    expect(description(dir, 'profile.saas-stub')).toBe('from catalog.json');
  });

  it('is bypassed for a file edited after the build: the YAML is parsed and validated', () => {
    const dir = installCopy('edited');
    const yaml = join(dir, 'profiles/profile.saas-stub.yaml');
    const text = readFileSync(yaml, 'utf8');
    writeFileSync(yaml, text.replace(/^description: .*$/m, 'description: edited after the build'));
    expect(description(dir, 'profile.saas-stub')).toBe('edited after the build');

    writeFileSync(yaml, text.replace(/^description: .*$/m, 'description: [not, a, string]'));
    const bad = cli(dir, 'profiles', 'list');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/profiles\/profile\.saas-stub\.yaml:\d+:\d+: description: /);
  });

  it('is ignored when corrupt: the bundle falls back to the YAML', () => {
    const dir = installCopy('corrupt');
    writeFileSync(join(dir, 'dist', COMPILED_CATALOG_FILE), '{"version": 1, "files": ');
    expect(description(dir, 'profile.saas-stub')).toBe(
      loadCatalog([ROOT], {}).profiles.get('profile.saas-stub')!.value.description,
    );
  });
});
