import { BackendError, SandboxerError } from '../core/errors.ts';

/**
 * Creates this process knows made nothing on the backend: its credentials did not resolve before provisioning
 * began, or the provider refused the create request outright (a 4xx answer, e.g. a bad API key). Such an attempt
 * has nothing to clean, so it ends `failed` without a teardown — which, with the same bad key, could only fail
 * and leave the record "destroying" (counted live) for ever. Only what this process saw counts: a record from
 * elsewhere without a backend id is still torn down by its labels.
 */
const nothing = new Set<string>();

export function noteNothingMade(sandboxId: string): void {
  nothing.add(sandboxId);
}

/** A rejection handler for a step before provisioning: whatever failed there, nothing was made. */
export const nothingMadeOnError =
  (sandboxId: string) =>
  (err: unknown): never => {
    noteNothingMade(sandboxId);
    throw err;
  };

/** True once: the record's attempt made nothing (and no backend id was saved since). */
export function takeNothingMade(sandbox: { id: string; handle: Record<string, unknown> }): boolean {
  const made = !nothing.has(sandbox.id) || sandbox.handle.backend_id !== undefined;
  nothing.delete(sandbox.id);
  return !made;
}

/**
 * Whether a failed create request was refused by the provider before it made anything: credentials missing,
 * or a definitive 4xx answer (not 408, which may come after the work started).
 */
export function refusedCreate(err: unknown): boolean {
  if (err instanceof BackendError) {
    return err.status !== undefined && err.status >= 400 && err.status < 500 && err.status !== 408;
  }
  return err instanceof SandboxerError && err.code === 'credentials';
}
