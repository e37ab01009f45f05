import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sleep } from '../../src/core/sleep.ts';
import { withFileLock } from '../../src/state/file/lock.ts';
import { tempDir } from '../helpers/env.ts';

/**
 * The file-store lock: ownership token + heartbeat. Timings are scaled down through `staleMs`; the assertions
 * are about order and ownership, never durations.
 */
const tmp = tempDir('sbx-lock-');
afterAll(() => tmp.cleanup());
const STALE = 300;

describe('withFileLock', () => {
  it('a holder that is alive but slow (well past the stale bound) keeps its lock', async () => {
    const path = join(tmp.dir, 'slow.lock');
    const events: string[] = [];
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const slow = withFileLock(
      path,
      async () => {
        events.push('holder in');
        entered();
        await sleep(STALE * 5);
        events.push('holder out');
      },
      { staleMs: STALE },
    );
    await inside;
    const waiter = withFileLock(path, async () => void events.push('waiter in'), {
      staleMs: STALE,
      timeoutMs: 60_000,
    });
    await Promise.all([slow, waiter]);
    expect(events).toEqual(['holder in', 'holder out', 'waiter in']);
    expect(existsSync(path)).toBe(false);
  });

  it('takes over a lock whose heartbeat stopped (a holder that died elsewhere)', async () => {
    const path = join(tmp.dir, 'dead.lock');
    writeFileSync(path, '4242 another-host deadbeef 2026-01-01T00:00:00.000Z\n');
    const old = new Date(Date.now() - STALE * 10);
    utimesSync(path, old, old);
    await expect(withFileLock(path, async () => 'mine', { staleMs: STALE })).resolves.toBe('mine');
    expect(existsSync(path)).toBe(false);
  });

  it('never removes a lock that is no longer its own', async () => {
    const path = join(tmp.dir, 'stolen.lock');
    const successor = `${process.pid} elsewhere successor-token 2026-01-01T00:00:00.000Z\n`;
    await withFileLock(
      path,
      async () => {
        writeFileSync(path, successor); // taken over while we were stalled
      },
      { staleMs: STALE },
    );
    expect(readFileSync(path, 'utf8')).toBe(successor);
  });
});
