import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.ts';
import { projectOf, projects, testFiles } from '../projects.ts';
import { SLOW_S } from '../sequencer.ts';

/** The suite's vitest projects (#18): every file in exactly one, by what it uses. */
describe('test projects', () => {
  const by = projects(REPO_ROOT);

  it('puts every test file in exactly one project', () => {
    const all = [...by.unit, ...by.process, ...by.integration].sort();
    expect(all).toEqual(testFiles(REPO_ROOT));
    expect(new Set(all).size).toBe(all.length);
    for (const name of ['unit', 'process', 'integration'] as const)
      expect(by[name].length, `${name} has files`).toBeGreaterThan(0);
  });

  it('classifies by what a file uses: the test host or PostgreSQL, child processes, or neither', () => {
    expect(projectOf(REPO_ROOT, 'tests/ssh/compose-ssh.conformance.test.ts')).toBe('integration');
    expect(projectOf(REPO_ROOT, 'tests/state/store-contract.test.ts')).toBe('integration');
    // Spawns through tests/helpers/cli.ts, not by itself.
    expect(readFileSync(join(REPO_ROOT, 'tests/cli/cli.test.ts'), 'utf8')).not.toMatch(/child_process/);
    expect(projectOf(REPO_ROOT, 'tests/cli/cli.test.ts')).toBe('process');
    expect(projectOf(REPO_ROOT, 'tests/core/poll.test.ts')).toBe('unit');
  });

  it('keeps unit files in-process: none reaches node:child_process through a helper under tests/', () => {
    const spawning = by.unit.filter((f) => /child_process/.test(readFileSync(join(REPO_ROOT, f), 'utf8')));
    expect(spawning).toEqual([]);
  });

  it('keeps files that share a worker (unit, process) from leaking state into the next file', () => {
    const leaks =
      /process\.env(\.\w+|\[[^\]]+\])\s*=[^=]|delete process\.env|process\.chdir\(|vi\.(mock|stubEnv|stubGlobal)\(/;
    const leaking = [...by.unit, ...by.process].filter((f) =>
      leaks.test(readFileSync(join(REPO_ROOT, f), 'utf8')),
    );
    expect(leaking, 'move these to a per-call env, or restore what they change').toEqual([]);
  });

  it('names only files that exist in the slow-first hints', () => {
    expect(Object.keys(SLOW_S).filter((f) => !existsSync(join(REPO_ROOT, f)))).toEqual([]);
  });
});
