import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.ts';
import { startTestApi, type TestApi } from './harness.ts';

const TOKEN = 'doc-walkthrough-token-0123456789';

/** The ```bash blocks of docs/http-api.md marked `<!-- doc-test: run -->`, in order. */
function runnableBlocks(): string[] {
  const text = readFileSync(join(REPO_ROOT, 'docs', 'http-api.md'), 'utf8');
  return [...text.matchAll(/<!-- doc-test: run -->\s*```bash\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

function bash(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { env: { ...process.env, ...env } });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('docs/http-api.md walkthrough (bash + curl + jq against a real server)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ token: TOKEN });
  });
  afterAll(async () => {
    await api.stop();
  });

  it('runs every marked block in order and ends with both sandboxes destroyed', async () => {
    const blocks = runnableBlocks();
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    const r = await bash(`set -euo pipefail\n${blocks.join('\n')}`, {
      SANDBOXER_URL: api.server.url,
      API_TOKEN: TOKEN,
    });
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/^ok$/m);
    expect(r.out).toMatch(/^401$/m);
    expect(r.out).toMatch(/invalid request body: ttl/);
    const destroyed = r.out.match(/^sbx-[a-z0-9]{12} destroyed$/gm) ?? [];
    expect(destroyed).toHaveLength(2);
    const all = await api.manager.list();
    expect(all.filter((s) => s.state === 'destroyed')).toHaveLength(2);
    expect(await api.backendObjects()).toEqual([]);
    expect(r.out).not.toContain(TOKEN);
  });
});
