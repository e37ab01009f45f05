import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.ts';
import { tsFiles } from '../helpers/files.ts';
import { findCycles, importsOf, type ImportEdge } from './import-graph.ts';

/** The shape src/ keeps (#18): small files, and modules that can be read bottom-up (no import cycle). */
const MAX_LINES = 400;
const files = tsFiles(REPO_ROOT, 'src');

describe('src/ shape', () => {
  it(`no source file is over ${MAX_LINES} lines`, () => {
    const long = files
      .map((f) => ({ f, lines: readFileSync(join(REPO_ROOT, f), 'utf8').split('\n').length - 1 }))
      .filter((x) => x.lines > MAX_LINES)
      .map((x) => `${x.f}: ${x.lines} lines`);
    expect(long, 'split these into smaller files named for what they hold').toEqual([]);
  });

  it('src/ has no import cycle (static imports, re-exports, import() and type-only imports alike)', () => {
    const edges = files.flatMap((f) => importsOf(REPO_ROOT, f));
    const unresolved = edges.filter((e) => !files.includes(e.to)).map((e) => `${e.from} → ${e.to}`);
    expect(unresolved, 'relative imports that name no file under src/').toEqual([]);
    expect(findCycles(files, edges).map((c) => c.join(' → '))).toEqual([]);
  });
});

describe('the import-graph walker', () => {
  const edge = (from: string, to: string): ImportEdge => ({ from, to, typeOnly: false });

  it('finds a cycle through several files and reports it as a path', () => {
    const fs = ['a.ts', 'b.ts', 'c.ts', 'd.ts'];
    const cycles = findCycles(fs, [
      edge('a.ts', 'b.ts'),
      edge('b.ts', 'c.ts'),
      edge('c.ts', 'a.ts'),
      edge('c.ts', 'd.ts'),
    ]);
    expect(cycles).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
    expect(findCycles(fs, [edge('a.ts', 'b.ts'), edge('b.ts', 'c.ts'), edge('a.ts', 'c.ts')])).toEqual([]);
  });

  it('reads static imports, re-exports, import() and type-only imports of a real file', () => {
    const edges = importsOf(REPO_ROOT, 'src/reaper/stale.ts');
    expect(edges.map((e) => e.to)).toContain('src/reaper/classify.ts');
    expect(edges.find((e) => e.to === 'src/manager/manager.ts')?.typeOnly).toBe(true);
    const dynamic = files.find((f) => /\bimport\(\s*'\.\.?\//.test(readFileSync(join(REPO_ROOT, f), 'utf8')));
    expect(dynamic, 'src/ has at least one relative import() to check the walker against').toBeDefined();
    expect(importsOf(REPO_ROOT, dynamic!).length).toBeGreaterThan(0);
  });
});
