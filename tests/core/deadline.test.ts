import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { deadline, raceSignal, withDeadline } from '../../src/core/deadline.ts';
import { CancelledError, SandboxerError } from '../../src/core/errors.ts';

/** Our own bounds: a strong timer, explicit parent links that clear() removes, and a race that never waits. */
describe('deadline', () => {
  it('aborts with a timeout error named like the platform one when its timer runs out', async () => {
    const d = deadline(1);
    await new Promise((r) => d.signal.addEventListener('abort', r, { once: true }));
    expect(d.signal.reason).toBeInstanceOf(SandboxerError);
    expect((d.signal.reason as SandboxerError).code).toBe('timeout');
    expect((d.signal.reason as Error).name).toBe('TimeoutError');
  });

  it('follows its parents until cleared, then holds no link to them', () => {
    const parent = new AbortController();
    const linked = deadline(undefined, [parent.signal, undefined]);
    const cleared = deadline(60_000, [parent.signal]);
    cleared.clear();
    parent.abort(new Error('SIGTERM'));
    expect(linked.signal.aborted).toBe(true);
    expect((linked.signal.reason as Error).message).toBe('SIGTERM');
    expect(cleared.signal.aborted).toBe(false);
  });

  it('many deadlines under one parent share one listener on it', () => {
    const parent = new AbortController();
    const ds = Array.from({ length: 50 }, () => deadline(60_000, [parent.signal]));
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(1);
    ds[0]!.clear();
    parent.abort();
    expect(ds.map((d) => d.signal.aborted)).toEqual([false, ...Array<boolean>(49).fill(true)]);
  });

  it('starts aborted under an aborted parent', () => {
    const parent = new AbortController();
    parent.abort();
    expect(deadline(60_000, [parent.signal]).signal.aborted).toBe(true);
  });
});

describe('raceSignal', () => {
  it('rejects as soon as the signal aborts, although the raced work never settles', async () => {
    const c = new AbortController();
    const raced = raceSignal(new Promise<never>(() => undefined), c.signal, 'e2b: create');
    c.abort(new Error('SIGINT'));
    await expect(raced).rejects.toBeInstanceOf(CancelledError);
  });

  it("rejects with a deadline's own timeout error, and settles with the work when it wins", async () => {
    await expect(
      withDeadline(1, [], (signal) => raceSignal(new Promise<never>(() => undefined), signal)),
    ).rejects.toMatchObject({ code: 'timeout' });
    await expect(withDeadline(60_000, [], (signal) => raceSignal(Promise.resolve(7), signal))).resolves.toBe(
      7,
    );
  });
});
