import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const DIST = resolve(import.meta.dirname, '../../dist');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [relative(DIST, p)];
  });
}

// dist/ is built by one esbuild pass (scripts/build.mjs); scripts/ci.sh rebuilds it and fails on any difference.
describe('dist/', () => {
  it('ships no native addon or executable (they are built for one machine and Node ABI)', () => {
    expect(files(DIST).filter((f) => /\.(node|exe|dll|so)$/.test(f))).toEqual([]);
  });
  it('has the entry stubs, the compiled catalog and the licence notices', () => {
    expect(files(DIST)).toEqual(
      expect.arrayContaining([
        'index.js',
        'setup/main.js',
        'setup/post.js',
        'teardown/main.js',
        'reap-stale/main.js',
        'catalog.json',
        'licenses.txt',
        'undici-lazy.cjs',
        'undici.js',
      ]),
    );
  });
});
