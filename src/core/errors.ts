/**
 * User-facing errors. Every error that can reach a user carries a stable `code`, a message that says what to do,
 * and the process exit code the CLI uses (0 ok, 1 runtime failure, 2 usage or validation error).
 * Messages must never contain secret values: callers pass secret *references*, never resolved secrets.
 */
export type ErrorCode =
  | 'usage'
  | 'validation'
  | 'not_found'
  | 'illegal_transition'
  | 'conflict'
  | 'backend'
  | 'cancelled'
  | 'timeout'
  | 'credentials'
  | 'insufficient_credits'
  | 'unsupported'
  | 'routing'
  | 'state_store'
  | 'internal';

export class SandboxerError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: 1 | 2;
  /** Whether trying again (or on another backend) may succeed. */
  readonly retryable: boolean;
  readonly hint?: string;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { retryable?: boolean; hint?: string; exitCode?: 1 | 2; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'SandboxerError';
    this.code = code;
    this.retryable = opts.retryable ?? false;
    this.exitCode = opts.exitCode ?? (code === 'usage' || code === 'validation' ? 2 : 1);
    if (opts.hint !== undefined) this.hint = opts.hint;
  }

  toJSON(): { code: ErrorCode; message: string; retryable: boolean; hint?: string } {
    return {
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      ...(this.hint ? { hint: this.hint } : {}),
    };
  }
}

export const usageError = (message: string, hint?: string) =>
  new SandboxerError('usage', message, hint ? { hint } : {});

export const notFound = (what: string, id: string, hint?: string) =>
  new SandboxerError('not_found', `${what} ${shown(id)} not found`, hint ? { hint } : {});

/** The one answer for a sandbox that is not there, or (over HTTP) not the caller's to see. */
export const sandboxNotFound = (id: string) =>
  notFound('sandbox', id, "run 'sandboxer list' to see known sandboxes");
export const snapshotNotFound = (id: string) => notFound('snapshot', id, "run 'sandboxer snapshots list'");

/** A failure reported by a backend. `retryable` decides whether routing falls back and whether we retry. */
export class BackendError extends SandboxerError {
  readonly extensionId: string;
  readonly status?: number;
  constructor(
    extensionId: string,
    message: string,
    opts: { retryable: boolean; status?: number; hint?: string; cause?: unknown },
  ) {
    super('backend', `${extensionId}: ${message}`, opts);
    this.name = 'BackendError';
    this.extensionId = extensionId;
    if (opts.status !== undefined) this.status = opts.status;
  }
}

export class CancelledError extends SandboxerError {
  constructor(message = 'operation cancelled') {
    super('cancelled', message, { retryable: false });
    this.name = 'CancelledError';
  }
}

export function isCancellation(err: unknown, signal?: AbortSignal): boolean {
  if (err instanceof CancelledError) return true;
  if (signal?.aborted) return true;
  return err instanceof Error && err.name === 'AbortError';
}

/** Normalise anything thrown into a SandboxerError without losing whether it was user-facing. */
export function toSandboxerError(err: unknown): SandboxerError {
  if (err instanceof SandboxerError) return err;
  if (err instanceof Error && err.name === 'AbortError') return new CancelledError();
  const message = err instanceof Error ? err.message : String(err);
  return new SandboxerError('internal', message, { cause: err });
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new CancelledError();
}

/**
 * A user-given value as it may be echoed in a message: quoted, control characters escaped (a newline or an ANSI
 * escape cannot start a `::warning::` line in a job log or repaint a terminal), and cut to `max` characters.
 */
export function shown(value: unknown, max = 80): string {
  const s = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  const cut = s.length > max ? `${s.slice(0, max)}… (${s.length} chars)` : s;
  const escaped = cut.replace(/[\p{Cc}\u2028\u2029]/gu, (c) => {
    const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    return named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
  return `'${escaped}'`;
}
