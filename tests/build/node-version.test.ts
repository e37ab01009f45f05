import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../helpers/cli.ts';

/** One Node version everywhere: the actions' runtime (node24) is what the test command runs the suite on. */
const read = (p: string) => readFileSync(join(REPO_ROOT, p), 'utf8');

describe('Node 24', () => {
  it('the test command runs this suite on the major it requires', () => {
    const want = process.env.SANDBOXER_REQUIRE_NODE_MAJOR;
    if (want === undefined) return; // a direct `npx vitest` run; scripts/ci.sh always sets it
    expect(process.versions.node.split('.')[0]).toBe(want);
  });

  it('scripts/ci.sh installs Node 24 from the npm registry when the machine has another node', () => {
    const ci = read('scripts/ci.sh');
    expect(ci).toMatch(/^NODE_MAJOR=24$/m);
    expect(ci).toContain('npm install --prefix "$cache"');
    expect(ci).toContain('export SANDBOXER_REQUIRE_NODE_MAJOR="$NODE_MAJOR"');
    expect(read('.gitignore')).toMatch(/^\.cache\/$/m);
  });

  it('engines, .node-version, the workflows and every action agree on 24', () => {
    const pkg = JSON.parse(read('package.json')) as { engines: { node: string } };
    expect(pkg.engines.node).toBe('>=24');
    expect(read('.node-version').trim()).toBe('24');
    const workflows = readdirSync(join(REPO_ROOT, '.github/workflows')).filter((f) => f.endsWith('.yml'));
    for (const f of workflows) {
      for (const v of read(`.github/workflows/${f}`).matchAll(/node-version:\s*['"]?([^'"\s]+)/g)) {
        expect(v[1], f).toBe('24');
      }
    }
    const actions = [
      'action.yml',
      ...readdirSync(join(REPO_ROOT, 'actions')).map((a) => `actions/${a}/action.yml`),
    ];
    for (const a of actions) {
      expect((parse(read(a)) as { runs: { using: string } }).runs.using, a).toBe('node24');
    }
  });
});
