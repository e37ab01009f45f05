import { toSandboxerError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { LifecycleHooks } from '../events/hooks.ts';

/** Hooks that may refuse what is about to happen (credits, budget): the first that throws stops it. */
export type GateHook = 'beforeProvision' | 'beforeExtend';
/** Hooks told what happened (events, State Hub, meters, ledger): best effort, never fail the caller. */
export type NoticeHook = 'onTransition' | 'onSettled' | 'onReaped' | 'onSnapshot';
export type HookInput<K extends GateHook | NoticeHook> = Parameters<NonNullable<LifecycleHooks[K]>>[0];

/**
 * The typed bus the lifecycle fans out on: every `LifecycleHooks` member by name, in registration order.
 * `gate` lets an error through (a refusal); `notify` logs a failing hook and goes on.
 */
export class HookBus {
  constructor(
    private readonly hooks: readonly LifecycleHooks[],
    private readonly log: Logger,
  ) {}

  async gate<K extends GateHook>(name: K, input: HookInput<K>): Promise<void> {
    for (const h of this.hooks) {
      const fn = h[name] as ((input: HookInput<K>) => Promise<void>) | undefined;
      if (fn) await fn.call(h, input);
    }
  }

  async notify<K extends NoticeHook>(name: K, input: HookInput<K>): Promise<void> {
    for (const h of this.hooks) {
      const fn = h[name] as ((input: HookInput<K>) => Promise<void>) | undefined;
      if (!fn) continue;
      try {
        await fn.call(h, input);
      } catch (err) {
        this.log.warn(`${h.name}: ${toSandboxerError(err).message}`);
      }
    }
  }
}
