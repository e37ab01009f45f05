import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const NAME = 'sand-boxer';

/**
 * The version in sand-boxer's package.json, found upwards from `dir` (this module's directory by default: src/,
 * lib/ or a dist/ chunk, all inside the package). dist/package.json (only `type`) is passed over.
 */
export function packageVersion(dir = dirname(fileURLToPath(import.meta.url))): string {
  for (let i = 0; i < 6; i++, dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    try {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === NAME && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // Not a readable package.json: keep looking upwards.
    }
  }
  return '0.0.0-unknown';
}
