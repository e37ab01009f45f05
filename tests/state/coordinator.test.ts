import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { newReplicaId, replicaProcessGone } from '../../src/state/replicas/coordinator.ts';
import { LocalCoordinator } from '../../src/state/replicas/local-coordinator.ts';
import { tempDir } from '../helpers/env.ts';

const tmp = tempDir('sbx-coord-');
afterAll(() => tmp.cleanup());

describe('local coordination (SQLite, file store)', () => {
  it('one holder of the reaper lock at a time; released on close, then taken by the next', async () => {
    const lock = join(tmp.dir, 'state', 'reaper.lock');
    const a = new LocalCoordinator(lock);
    const b = new LocalCoordinator(lock);
    await a.start();
    await b.start();
    expect(await a.tryLead()).toBe(true);
    expect(await a.tryLead()).toBe(true);
    expect(await b.tryLead()).toBe(false);
    await a.close();
    expect(await b.tryLead()).toBe(true);
    expect(await a.tryLead()).toBe(false);
    await b.close();
  });

  it('a replica is alive while its process is', async () => {
    const c = new LocalCoordinator(undefined);
    const dead = newReplicaId().replace(`/${process.pid}/`, '/999999999/');
    expect(replicaProcessGone(dead)).toBe(true);
    expect([...(await c.alive([c.replica, dead]))]).toEqual([c.replica]);
    expect(await c.tryLead()).toBe(true);
  });
});
