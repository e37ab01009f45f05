import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageVersion } from '../../src/core/version.ts';
import { cliSync } from '../helpers/cli.ts';
import { tempDir } from '../helpers/env.ts';

const tmp = tempDir('sbx-version-');
afterAll(() => tmp.cleanup());
const pkg = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../package.json'), 'utf8')) as {
  version: string;
};

describe('the version', () => {
  it("is sand-boxer's package.json version, found upwards past other package.json files", () => {
    writeFileSync(join(tmp.dir, 'package.json'), JSON.stringify({ name: 'sand-boxer', version: '9.8.7' }));
    const chunkDir = join(tmp.dir, 'dist', 'chunks');
    mkdirSync(chunkDir, { recursive: true });
    writeFileSync(join(tmp.dir, 'dist', 'package.json'), JSON.stringify({ type: 'module' }));
    expect(packageVersion(chunkDir)).toBe('9.8.7');
    expect(packageVersion()).toBe(pkg.version);
  });

  it('is what sandboxer --version prints', () => {
    const r = cliSync(['--version'], {});
    expect(r.stdout.trim()).toBe(pkg.version);
  });
});
