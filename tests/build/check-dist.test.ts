import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/env.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const tmp = tempDir('sbx-check-dist-');
afterAll(() => tmp.cleanup());

function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** check-dist: dist/ is committed (actions run it as is), so it must be exactly what the sources build to. */
describe('dist/', () => {
  it('is up to date: a fresh build of the sources is byte-identical', { timeout: 600_000 }, () => {
    const out = join(tmp.dir, 'dist');
    execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--out', out], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 590_000,
    });
    const fresh = files(out);
    expect(files(join(ROOT, 'dist')), 'dist/ file list differs: run npm run build and commit dist/').toEqual(
      fresh,
    );
    const stale = fresh.filter(
      (f) => !readFileSync(join(out, f)).equals(readFileSync(join(ROOT, 'dist', f))),
    );
    expect(stale, 'dist/ is stale: run npm run build and commit dist/').toEqual([]);
    expect(fresh).toEqual(
      expect.arrayContaining([
        'index.js',
        'setup/main.js',
        'setup/post.js',
        'teardown/main.js',
        'reap-stale/main.js',
      ]),
    );
  });
});
