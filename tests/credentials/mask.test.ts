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

  it("emits one ::add-mask:: command per line on stdout, escaped exactly as @actions/core's setSecret does", () => {
    // A value whose text looks like escapes, and a CR inside the line: the runner must get the line itself.
    const odd = 'pct%25-and-%0A-and-cr\r-x9';
    const script = [
      "import { setSecret } from '@actions/core';",
      "import { actionsMasker } from './src/credentials/mask.ts';",
      "actionsMasker({ GITHUB_ACTIONS: 'true' })('first-line-x1\\nsecond-line-y2');",
      "process.stdout.write('--\\n');",
      `actionsMasker({ GITHUB_ACTIONS: 'true' })(${JSON.stringify(odd)});`,
      `setSecret(${JSON.stringify(odd)});`,
    ].join('\n');
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const [ours, theirs] = r.stdout.split('--\n') as [string, string];
    expect(ours.split(/\r?\n/).filter(Boolean)).toEqual([
      '::add-mask::first-line-x1',
      '::add-mask::second-line-y2',
    ]);
    const both = theirs.split(/\r?\n/).filter(Boolean);
    expect(both).toHaveLength(2);
    expect(both[0], 'ours, then setSecret').toBe(both[1]);
    expect(both[0]).toBe('::add-mask::pct%2525-and-%250A-and-cr%0D-x9');
  });
});
