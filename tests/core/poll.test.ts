import { describe, expect, it } from 'vitest';
import { BackendError, CancelledError, SandboxerError } from '../../src/core/errors.ts';
import { notYet, poll, ready } from '../../src/core/poll.ts';

/** The one readiness loop (#18): done, not yet (with a reason), a final failure, cancellation, its own bound. */
describe('poll', () => {
  it('looks again while the answer is "not yet" and returns the value once done', async () => {
    const attempts: number[] = [];
    const value = await poll(
      async (_signal, attempt) => {
        attempts.push(attempt);
        return attempt < 3 ? notYet(`attempt ${attempt}`) : ready('up');
      },
      { initial_ms: 1, max_ms: 2 },
    );
    expect(value).toBe('up');
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('passes a failure the probe throws through as is, without looking again', async () => {
    let looks = 0;
    const fatal = new BackendError('ext.x', 'service exited', { retryable: false });
    await expect(
      poll(async () => {
        looks++;
        throw fatal;
      }),
    ).rejects.toBe(fatal);
    expect(looks).toBe(1);
  });

  it('at its own bound rejects with the last reason the probe gave', async () => {
    const err = await poll(async () => notYet('port 8080 refused'), {
      timeout_ms: 30,
      initial_ms: 5,
      max_ms: 5,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SandboxerError);
    expect((err as SandboxerError).code).toBe('timeout');
    expect((err as Error).message).toContain('port 8080 refused');

    const custom = await poll(async () => notYet('still starting'), {
      timeout_ms: 20,
      initial_ms: 5,
      timedOut: (last) => new BackendError('ext.x', `not ready: ${last}`, { retryable: false }),
    }).catch((e: unknown) => e);
    expect((custom as Error).message).toBe('ext.x: not ready: still starting');
  });

  it('ends a look in flight at the bound: the probe signal aborts', async () => {
    let seen: AbortSignal | undefined;
    const err = await poll(
      (signal) => {
        seen = signal;
        return new Promise((_, reject) =>
          signal.addEventListener('abort', () => reject(new Error('aborted'))),
        );
      },
      { timeout_ms: 20 },
    ).catch((e: unknown) => e);
    expect(seen?.aborted).toBe(true);
    expect((err as SandboxerError).code).toBe('timeout');
  });

  it("rejects with CancelledError when the caller's signal aborts during a pause", async () => {
    const c = new AbortController();
    const err = await poll(
      async (_signal, attempt) => {
        if (attempt === 2) c.abort();
        return notYet('waiting');
      },
      { signal: c.signal, initial_ms: 1 },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CancelledError);
  });
});
