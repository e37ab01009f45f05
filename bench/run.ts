// npm run bench [name...]: runs bench/<name>.bench.ts files (all by default). Each prints its own side-by-side
// ratios against the baseline its issue names. Benchmarks are never part of the test suite.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.includes(f.replace(/\.bench\.ts$/, '')))
  .sort();
if (files.length === 0) {
  console.error(`no benchmark matches ${wanted.join(', ') || '(any)'}`);
  process.exit(2);
}
for (const f of files) {
  console.log(`\n=== ${f.replace(/\.bench\.ts$/, '')} ===`);
  const mod = (await import(pathToFileURL(join(here, f)).href)) as { default: () => Promise<void> };
  await mod.default();
}
