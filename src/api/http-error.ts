import type * as z from 'zod';
import { toSandboxerError, type ErrorCode } from '../core/errors.ts';
import type { ApiErrorBody } from './schemas.ts';

/** An error answered as `{error: {code, message, hint, retryable}}` with an HTTP status. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly hint?: string;
  readonly retryable: boolean;
  readonly issues?: { path: string; message: string }[];
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    code: string,
    message: string,
    opts: {
      hint?: string;
      retryable?: boolean;
      issues?: { path: string; message: string }[];
      headers?: Record<string, string>;
    } = {},
  ) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.retryable = opts.retryable ?? false;
    this.headers = opts.headers ?? {};
    if (opts.hint !== undefined) this.hint = opts.hint;
    if (opts.issues !== undefined) this.issues = opts.issues;
  }

  body(): ApiErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.hint ? { hint: this.hint } : {}),
        retryable: this.retryable,
        ...(this.issues ? { issues: this.issues } : {}),
      },
    };
  }
}

const STATUS: Record<ErrorCode, number> = {
  usage: 400,
  validation: 400,
  not_found: 404,
  illegal_transition: 409,
  conflict: 409,
  unsupported: 422,
  routing: 422,
  credentials: 422,
  insufficient_credits: 402,
  cancelled: 503,
  state_store: 503,
  backend: 502,
  timeout: 504,
  internal: 500,
};

/** Anything thrown by a handler or the manager, as an HttpError (user-facing codes keep their message). */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  const e = toSandboxerError(err);
  return new HttpError(STATUS[e.code] ?? 500, e.code, e.message, {
    ...(e.hint ? { hint: e.hint } : {}),
    retryable: e.retryable,
  });
}

/** A zod failure on request input: 400 with every issue, the first one in the message. */
export function validationError(where: string, error: z.ZodError, hint: string): HttpError {
  const issues = error.issues.flatMap(flattenIssue);
  const first = issues[0]!;
  return new HttpError(400, 'validation', `invalid ${where}: ${first.path}: ${first.message}`, {
    hint,
    issues,
  });
}

/** Record-key failures nest the real reason ("reserved namespace") one level down: surface it. */
function flattenIssue(issue: z.core.$ZodIssue): { path: string; message: string }[] {
  const path = issue.path.map(String).join('.') || '(root)';
  if (issue.code === 'invalid_key' && issue.issues.length)
    return issue.issues.map((inner) => ({ path, message: `key: ${inner.message}` }));
  return [{ path, message: issue.message }];
}
