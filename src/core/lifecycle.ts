import { SandboxerError } from './errors.ts';
import type { SandboxState } from './record.ts';

/**
 *   requested → provisioning → ready → destroying → destroyed
 *        └──────────┴→ failed ─→ destroying        └→ expired (teardown because the TTL lapsed)
 *                     provisioning → destroying (destroy/cancel while provisioning)
 *                     destroying → failed (teardown gave up; cleanup_pending, the reaper retries)
 */
const ALLOWED: Record<SandboxState, readonly SandboxState[]> = {
  requested: ['provisioning', 'failed'],
  provisioning: ['ready', 'failed', 'destroying'],
  ready: ['destroying'],
  destroying: ['destroyed', 'expired', 'failed'],
  failed: ['destroying'],
  destroyed: [],
  expired: [],
};

export const TERMINAL_STATES: readonly SandboxState[] = ['destroyed', 'expired', 'failed'];
export const LIVE_STATES: readonly SandboxState[] = ['requested', 'provisioning', 'ready', 'destroying'];

export const canTransition = (from: SandboxState, to: SandboxState): boolean => ALLOWED[from].includes(to);

export function assertTransition(id: string, from: SandboxState, to: SandboxState): void {
  if (!canTransition(from, to)) {
    throw new SandboxerError('illegal_transition', `sandbox ${id}: cannot go from ${from} to ${to}`, {
      hint: ALLOWED[from].length
        ? `from ${from} it can go to: ${ALLOWED[from].join(', ')}`
        : `${from} is final; create a new sandbox`,
    });
  }
}

export const isTerminal = (s: SandboxState): boolean => TERMINAL_STATES.includes(s);
