import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { tsFiles } from './helpers/files.ts';

/**
 * The suite's three vitest projects (#18), each test file in exactly one, decided by what the file uses rather
 * than by a list someone has to keep:
 * - `integration`: the real loopback host (sshd + podman, tests/ssh/host.ts) or a real PostgreSQL server;
 * - `process`: child processes — the CLI, the bundled actions, npm — spawned by the file or a test helper it imports;
 * - `unit`: everything else, in-process (fake HTTP servers on loopback included).
 * `npm run test:unit` is the quick loop; `npm test` runs all three at once.
 */
export type ProjectName = 'unit' | 'process' | 'integration';

/** Calls that mean a file drives the real test host or a PostgreSQL server of its own. */
const INTEGRATION_CALLS = /\b(testHost|skipReason|startPg|storeKinds|cliStoreEnvs)\(/;
/** Starting a child process, in the file or in a helper under tests/ that it imports. */
const SPAWNS = /from ['"](node:)?child_process['"]/;
const RELATIVE_IMPORT = /(?:from|import\()\s*['"](\.{1,2}\/[^'"]+)['"]/g;

/**
 * Whether `file` or a module under tests/ it imports (transitively) starts child processes. Imports are read
 * with a pattern, not tests/build/import-graph.ts's TypeScript parser: this runs in every vitest start.
 */
function spawns(root: string, file: string, seen = new Set<string>()): boolean {
  if (seen.has(file)) return false;
  seen.add(file);
  const text = readFileSync(join(root, file), 'utf8');
  if (SPAWNS.test(text)) return true;
  for (const [, spec] of text.matchAll(RELATIVE_IMPORT)) {
    const to = relative(root, resolve(root, dirname(file), spec!.replace(/\.js$/, '.ts')));
    if (to.startsWith('tests/') && existsSync(join(root, to)) && spawns(root, to, seen)) return true;
  }
  return false;
}

/** The project a test file (repo-relative path) belongs to. */
export function projectOf(root: string, file: string): ProjectName {
  if (INTEGRATION_CALLS.test(readFileSync(join(root, file), 'utf8'))) return 'integration';
  return spawns(root, file) ? 'process' : 'unit';
}

/** Every test file under tests/, repo-relative, sorted. */
export const testFiles = (root: string): string[] =>
  tsFiles(root, 'tests').filter((f) => f.endsWith('.test.ts'));

/** The test files of each project. */
export function projects(root: string): Record<ProjectName, string[]> {
  const by: Record<ProjectName, string[]> = { unit: [], process: [], integration: [] };
  for (const f of testFiles(root)) by[projectOf(root, f)].push(f);
  return by;
}
