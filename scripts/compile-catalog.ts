// Writes the packaged catalog, validated, as <out>/catalog.json for the bundle (see src/catalog/compiled.ts).
// Run by scripts/build.mjs: `tsx scripts/compile-catalog.ts <out>`.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { COMPILED_CATALOG_FILE } from '../src/catalog/compiled.ts';
import { compileCatalog } from '../src/catalog/loader.ts';

const out = process.argv[2];
if (!out) throw new Error('usage: tsx scripts/compile-catalog.ts <out-dir>');
writeFileSync(
  join(out, COMPILED_CATALOG_FILE),
  JSON.stringify(compileCatalog(resolve(import.meta.dirname, '..'))) + '\n',
);
