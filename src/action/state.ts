import { SANDBOX_ID_RE } from '../core/ids.ts';
import * as core from '@actions/core';
import * as z from 'zod';

/**
 * What the setup main step hands to its post step. The runner passes saved state to the post as STATE_<name>
 * env variables; the post reads it through `core.getState` when it runs (never at import, so a harness such as
 * @github/local-action, which serves getState itself, sees it too), validated here so the post never guesses.
 */
export const SavedState = z.object({
  sandbox_id: z.string().regex(SANDBOX_ID_RE).optional(),
  teardown: z.enum(['post', 'never', 'on-success']).optional(),
  state_store: z.enum(['artifact', 'cache', 'none']).optional(),
  state_dir: z.string().optional(),
  /** Set once main finished (ready or failed): a post without it means main was killed mid-way. */
  main_done: z.enum(['ready', 'failed']).optional(),
});
export type SavedState = z.infer<typeof SavedState>;

const KEYS = Object.keys(SavedState.shape) as (keyof SavedState)[];

export function readSavedState(get: (name: string) => string = core.getState): SavedState {
  const raw: Record<string, string> = {};
  for (const k of KEYS) {
    const v = get(k);
    if (v) raw[k] = v;
  }
  const parsed = SavedState.safeParse(raw);
  if (parsed.success) return parsed.data;
  // Corrupt state must not stop the post from trying: keep the fields that validate on their own.
  const out: Record<string, unknown> = {};
  for (const k of KEYS) {
    const one = SavedState.shape[k].safeParse(raw[k]);
    if (one.success && one.data !== undefined) out[k] = one.data;
  }
  return out as SavedState;
}

export function saveState<K extends keyof SavedState>(key: K, value: NonNullable<SavedState[K]>): void {
  core.saveState(key, value);
}
