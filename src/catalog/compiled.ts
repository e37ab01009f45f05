import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';

/**
 * The packaged catalog, validated at build time: `scripts/build.mjs` writes it next to the bundle as
 * dist/catalog.json. Parsing YAML and validating 13 files was a fifth of setup-sandbox's start-up; with this
 * the loader only hashes each file and reuses the validated value when the text is byte-identical. A file that
 * changed since the build (or a catalog root other than the packaged one) is parsed and validated as usual.
 * Only the bundle has the file: run from src/, the schema may be newer than any compiled value.
 */
export const COMPILED_CATALOG_FILE = 'catalog.json';

const CompiledCatalog = z.object({
  version: z.literal(1),
  /** Path relative to the catalog root (profiles/profile.x.yaml) → sha256 of its text and its parsed value. */
  files: z.record(z.string(), z.object({ sha256: z.string(), value: z.unknown() })),
});
export type CompiledCatalog = z.infer<typeof CompiledCatalog>;

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export function compiledCatalog(
  files: Iterable<{ relPath: string; text: string; value: unknown }>,
): CompiledCatalog {
  const out: CompiledCatalog = { version: 1, files: {} };
  for (const f of files) out.files[f.relPath] = { sha256: sha256(f.text), value: f.value };
  return out;
}

/** Validated values by relative path, for texts that still hash the same; undefined outside the bundle. */
export interface CompiledLookup {
  get(relPath: string, text: string): unknown;
}

const byDir = new Map<string, CompiledLookup | undefined>();

export function readCompiledCatalog(
  dir = dirname(fileURLToPath(import.meta.url)),
): CompiledLookup | undefined {
  if (!byDir.has(dir)) byDir.set(dir, read(join(dir, COMPILED_CATALOG_FILE)));
  return byDir.get(dir);
}

function read(file: string): CompiledLookup | undefined {
  if (!existsSync(file)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  // A corrupt or older-format file only costs the speed-up: everything is parsed from YAML.
  const parsed = CompiledCatalog.safeParse(json);
  if (!parsed.success) return undefined;
  const files = parsed.data.files;
  return {
    get: (relPath, text) => {
      const hit = files[relPath];
      return hit && hit.sha256 === sha256(text) ? hit.value : undefined;
    },
  };
}
