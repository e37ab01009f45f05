import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.ts';
import { tempDir } from '../helpers/env.ts';

/**
 * @github/local-action imports an action's entry module and calls its `run()`, serving core.getState itself.
 * So: importing an entry runs nothing (no workflow command, no output), `run()` does, and the post reads its
 * state through core.getState when it runs — here the state appears only after the import.
 */
const tmp = tempDir('sbx-local-action-');
afterAll(() => tmp.cleanup());
const MARK = '--- imported ---';

function importThenRun(entry: string, stateAfterImport: Record<string, string> = {}) {
  const url = pathToFileURL(join(REPO_ROOT, entry)).href;
  const script = [
    `const m = await import(${JSON.stringify(url)});`,
    `process.stdout.write(${JSON.stringify(MARK)} + ' ' + typeof m.run + '\\n');`,
    `Object.assign(process.env, ${JSON.stringify(stateAfterImport)});`,
    'await m.run();',
  ].join('\n');
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(GITHUB_|ACTIONS_|INPUT_|STATE_|RUNNER_)/.test(k)) env[k] = v;
  }
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: REPO_ROOT,
    env: { ...env, RUNNER_TEMP: tmp.dir, SANDBOXER_STATE_DIR: join(tmp.dir, 'state') },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const [before, after = ''] = r.stdout.split(MARK);
  return {
    before: before ?? '',
    after,
    stderr: r.stderr,
    code: r.status,
  };
}

describe('entry modules work under @github/local-action', () => {
  for (const entry of [
    'src/action/setup.ts',
    'src/action/setup-post.ts',
    'src/action/teardown.ts',
    'src/action/reap.ts',
  ]) {
    it(`${entry}: importing it runs nothing; run() runs the step`, () => {
      const r = importThenRun(entry);
      expect(r.before, r.stderr).toBe('');
      expect(r.after.startsWith(' function\n'), r.stderr).toBe(true);
      expect(r.after.trim().length, r.stderr).toBeGreaterThan('function'.length);
    });
  }

  it('the post reads its saved state through core.getState at run time, not at import', () => {
    const r = importThenRun('src/action/setup-post.ts', {
      STATE_sandbox_id: 'sbx-000000000000',
      STATE_state_store: 'none',
    });
    expect(r.after, r.stderr).not.toContain('no sandbox was created by this job');
    expect(r.after).toMatch(/::warning::.*sbx-000000000000/);
  });
});
