import type { Logger } from '../core/logger.ts';
import { silentLogger } from '../core/logger.ts';
import type { LifecycleHooks } from '../events/hooks.ts';
import type { StateStore } from '../state/store.ts';
import type { FinHubConfig } from './config.ts';
import { TEARDOWN_POLICY, type RetryPolicy } from './deliver.ts';
import { usageEvent } from './envelope.ts';
import { enqueue, flushOutbox } from './outbox.ts';

/** How many queued records a teardown sends besides its own, so one teardown never drains a long backlog. */
export const TEARDOWN_REPLAY_BOUND = 5;

/**
 * On a metered sandbox's settlement: queue its usage record in the outbox (persisted with the state), then send
 * it and a few older queued ones. A fin-hub failure never fails the destroy: the record stays queued and the
 * next teardown, `reap-stale` or `sandboxer export replay` sends it.
 */
export class FinHubHooks implements LifecycleHooks {
  readonly name = 'fin-hub';

  constructor(
    private readonly store: StateStore,
    private readonly cfg: FinHubConfig,
    private readonly opts: { log?: Logger; policy?: RetryPolicy } = {},
  ) {}

  async onSettled({ record }: Parameters<NonNullable<LifecycleHooks['onSettled']>>[0]) {
    const event = usageEvent(record, this.cfg.source);
    if (!event) return;
    const queued = await enqueue(this.store, event);
    // Not queued: another process settling the same sandbox has it; the flush below still sends the backlog.
    await flushOutbox(this.store, this.cfg, {
      first: queued ? [event.id] : [],
      limit: 1 + TEARDOWN_REPLAY_BOUND,
      policy: this.opts.policy ?? TEARDOWN_POLICY,
      log: this.opts.log ?? silentLogger,
    });
  }
}
