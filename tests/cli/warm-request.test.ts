import { describe, expect, it } from 'vitest';
import { exec } from '../../src/cli/commands/access.ts';
import { warmRequest } from '../../src/cli/exec-route/warm.ts';

/** Which command lines the warm exec path may take (src/cli/exec-route/warm.ts); every other one is the full CLI. */
describe('warm exec: the command lines it takes', () => {
  const id = 'sbx-abcdefghij12';
  it('takes exec ID [--service S] -- CMD..., with the command as given', () => {
    expect(warmRequest(['exec', id, '--', 'make', 'e2e'])).toEqual({
      id,
      service: '',
      argv: ['make', 'e2e'],
    });
    expect(warmRequest(['exec', id, '--service', 'web', '--', 'true'])).toEqual({
      id,
      service: 'web',
      argv: ['true'],
    });
    expect(warmRequest(['exec', id, '-s', 'web', '--', 'echo', '--json', '--'])?.argv).toEqual([
      'echo',
      '--json',
      '--',
    ]);
    expect(warmRequest(['exec', id, '--service=db_1', '--', 'true'])?.service).toBe('db_1');
  });

  it('leaves every other form to the full CLI', () => {
    for (const argv of [
      ['exec', id, '--json', '--', 'true'],
      ['exec', id, '--service', 'web', '--cwd', '/', '--', 'true'],
      ['exec', id, '--env', 'A=1', '--', 'true'],
      ['exec', id, '--timeout', '1m', '--', 'true'],
      ['exec', id, '--stdin', '--', 'cat'],
      ['exec', id, '-v', '--', 'true'],
      ['exec', id, '--help'],
      ['exec', id, '--'],
      ['exec', id, 'true'],
      ['exec', '--service', 'web', id, '--', 'true'],
      ['exec', 'sbx-NOT-AN-ID', '--', 'true'],
      ['exec', id, '--service', '-rf', '--', 'true'],
      ['exec', id, '--service', 'a b', '--', 'true'],
      ['--json', 'exec', id, '--', 'true'],
      ['logs', id, '--', 'true'],
    ])
      expect(warmRequest(argv), argv.join(' ')).toBeUndefined();
  });

  it("is named in exec's --help, with where the docs are", () => {
    expect(exec.details).toMatch(/takes the warm path/);
    expect(exec.details).toContain('docs/using-a-sandbox.md, "Warm exec"');
  });
});
