import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SandboxRecord } from '../../src/core/record.ts';
import { openStateStore } from '../../src/state/open.ts';
import { cli, json } from '../helpers/cli.ts';
import { tempDir } from '../helpers/env.ts';

/** Concurrent `extend-ttl` from separate CLI processes must not lose updates (issue #19). */
const tmp = tempDir('sbx-extend-race-');
const env = {
  SANDBOXER_STATE_DIR: join(tmp.dir, 'state'),
  SANDBOXER_STUB_DIR: join(tmp.dir, 'stub'),
  SANDBOXER_SCOPE: 'test:extend-race',
};
const run = (...args: string[]) => cli(args, env);
const store = openStateStore(env);

afterAll(() => tmp.cleanup());

describe('extend-ttl under concurrency', { timeout: 180_000 }, () => {
  it('10 parallel `extend-ttl +1m` move the expiry exactly 10 minutes', async () => {
    const created = await run('create', '--ttl', '30m', '--json');
    expect(created.code, created.stderr).toBe(0);
    const source = json<SandboxRecord>(created);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => run('extend-ttl', source.id, '--duration', '1m', '--json')),
    );
    expect(
      results.map((r) => r.code),
      results.map((r) => r.stderr).join('\n'),
    ).toEqual(Array(10).fill(0));
    const after = (await store.getSandbox(source.id))!;
    expect(Date.parse(after.expires_at!) - Date.parse(source.expires_at!)).toBe(10 * 60_000);
    expect((after.ttl_s ?? 0) - (source.ttl_s ?? 0)).toBe(600);
  });
});
