import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeE2bServer } from '../fakes/e2b-server.ts';
import { cli, json } from '../helpers/cli.ts';
import { tempDir } from '../helpers/env.ts';

/**
 * A cloud create that made nothing (E2B refused it: bad API key) ends `failed` with nothing to clean: not
 * "destroying" for ever, not counted live with a cost; destroy of it succeeds and reap-stale does not fail on it.
 */
const tmp = tempDir('sbx-badkey-');
const server = new FakeE2bServer();
let env: NodeJS.ProcessEnv = {};

interface Rec {
  id: string;
  state: string;
  cleanup_pending?: boolean;
  meter?: unknown;
  error?: { code: string };
}

beforeAll(async () => {
  await server.start();
  env = { ...server.env(), E2B_API_KEY: 'e2b_wrong_key_0000', SANDBOXER_STATE_DIR: join(tmp.dir, 'state') };
});
afterAll(async () => {
  await server.stop();
  tmp.cleanup();
});

describe('a create E2B refused (bad key)', () => {
  it('ends failed with nothing to clean; destroy succeeds; reap-stale does not exit 1 on it', async () => {
    const created = await cli(['create', '--profile', 'profile.e2b-burst', '--json'], env);
    expect(created.code, created.stderr).toBe(1);
    expect(created.stderr).toMatch(/Invalid API key|check the E2B API key/);
    const creates = server.requests.filter((q) => q.method === 'POST' && q.path === '/v2/sandboxes');
    expect(creates.length).toBeGreaterThan(0);
    expect(server.sandboxes.size).toBe(0);

    const [rec] = json<Rec[]>(await cli(['list', '--all', '--json'], env));
    expect(rec).toMatchObject({ state: 'failed' });
    expect(rec!.cleanup_pending ?? false).toBe(false);
    expect(rec!.meter).toBeUndefined();
    expect(json<Rec[]>(await cli(['list', '--json'], env))).toEqual([]); // not counted live

    const destroyed = await cli(['destroy', rec!.id, '--json'], env);
    expect(destroyed.code, destroyed.stderr).toBe(0);
    expect(json<Rec>(destroyed).state).toBe('failed');

    const reaped = await cli(['reap-stale', '--apply', '--json'], env);
    expect(reaped.code, reaped.stderr).not.toBe(1);
    const balance = json<{ held_usd: string }>(await cli(['credits', 'show', '--json'], env));
    expect(Number(balance.held_usd)).toBe(0);
  });
});
