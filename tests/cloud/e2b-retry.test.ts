import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/loader.ts';
import type { Owner } from '../../src/core/record.ts';
import { defaultRegistry } from '../../src/extensions/registry.ts';
import { SandboxManager } from '../../src/manager/manager.ts';
import { FileStateStore } from '../../src/state/file/file-store.ts';
import { FakeE2bServer } from '../fakes/e2b-server.ts';
import { tempDir } from '../helpers/env.ts';

/** Transient E2B answers are retried on E2B itself (#15): the create succeeds on the same backend, once. */
const tmp = tempDir('sbx-e2b-retry-');
const server = new FakeE2bServer();
const env: NodeJS.ProcessEnv = { SANDBOXER_STATE_DIR: tmp.dir };
const owner: Owner = { scope: 'test:e2b-retry' };
const manager = () =>
  new SandboxManager({
    catalog: loadCatalog(),
    registry: defaultRegistry(),
    store: new FileStateStore(tmp.dir),
    owner,
    env,
  });
const creates = () => server.requests.filter((r) => r.method === 'POST' && /sandboxes$/.test(r.path)).length;

beforeAll(async () => {
  await server.start();
  Object.assign(env, server.env());
});
afterAll(async () => {
  await server.stop();
  tmp.cleanup();
});
beforeEach(() => server.clearFaults());

describe('ext.e2b retries transient answers', () => {
  for (const status of [429, 502, 503, 504]) {
    it(`a ${status} once, then 200: the create succeeds on ext.e2b, one sandbox made`, async () => {
      server.inject({ op: 'create', status, times: 1 });
      const before = creates();
      const r = await manager().create({ profileId: 'profile.e2b-burst' });
      expect(r.state).toBe('ready');
      expect(r.extension_id).toBe('ext.e2b');
      expect(creates() - before).toBe(2);
      expect(
        [...server.sandboxes.values()].filter((s) => s.metadata['io.sandboxer.sandbox-id'] === r.id),
      ).toHaveLength(1);
      await manager().destroy(r.id);
    });
  }

  for (const status of [400, 401, 403, 404]) {
    it(`a ${status} is final: one request, no retry`, async () => {
      server.inject({ op: 'create', status, times: 1 });
      const before = creates();
      await expect(manager().create({ profileId: 'profile.e2b-burst' })).rejects.toMatchObject({
        code: 'backend',
        retryable: false,
      });
      expect(creates() - before).toBe(1);
    });
  }

  it('a transient kill is retried too: destroy finishes at once', async () => {
    const r = await manager().create({ profileId: 'profile.e2b-burst' });
    server.inject({ op: 'kill', status: 502, times: 1 });
    expect((await manager().destroy(r.id)).state).toBe('destroyed');
  });
});
