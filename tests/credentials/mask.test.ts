import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { actionsMasker } from '../../src/credentials/mask.ts';
import { REPO_ROOT } from '../helpers/cli.ts';

describe('actionsMasker', () => {
  it('is off outside GitHub Actions', () => {
    expect(actionsMasker({})).toBeUndefined();
    expect(actionsMasker({ GITHUB_ACTIONS: 'false' })).toBeUndefined();
  });

  it('registers each non-empty line of a multi-line value once', () => {
    const lines: string[] = [];
    const mask = actionsMasker({ GITHUB_ACTIONS: 'true' }, (l) => lines.push(l))!;
    mask('-----BEGIN KEY-----\r\nAAAAline1\n\nBBBBline2\n-----END KEY-----\n');
    mask('AAAAline1');
    expect(lines).toEqual(['-----BEGIN KEY-----', 'AAAAline1', 'BBBBline2', '-----END KEY-----']);
  });

  it('with @actions/core, emits one ::add-mask:: command per line on stdout', () => {
    const script = [
      "import { actionsMasker } from './src/credentials/mask.ts';",
      "actionsMasker({ GITHUB_ACTIONS: 'true' })('first-line-x1\\nsecond-line-y2');",
    ].join('\n');
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(0);
    expect(r.stdout.split(/\r?\n/).filter(Boolean)).toEqual([
      '::add-mask::first-line-x1',
      '::add-mask::second-line-y2',
    ]);
  });
});
