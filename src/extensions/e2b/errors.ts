import { BackendError, SandboxerError } from '../../core/errors.ts';
import { networkCode, sdkFailure } from '../cloud-common.ts';

/**
 * Map whatever the e2b SDK threw into a SandboxerError: 429, 5xx, capacity and network failures are retryable
 * (routing may fall back, the caller may retry); authentication, unknown templates and bad input are not.
 */
export function mapE2bError(
  extId: string,
  op: string,
  err: unknown,
  opts: { signal?: AbortSignal; secrets?: (string | undefined)[] } = {},
): SandboxerError {
  const started = sdkFailure(extId, op, err, opts);
  if (started instanceof SandboxerError) return started;
  const { e, message } = started;
  const statusCode: unknown = (e as { statusCode?: unknown }).statusCode;
  // envd errors carry the status only in the message ("503: …").
  const fromMessage = e.name === 'SandboxError' ? /^(\d{3}): /.exec(e.message)?.[1] : undefined;
  const status = typeof statusCode === 'number' ? statusCode : fromMessage ? Number(fromMessage) : undefined;
  const fail = (retryable: boolean, s: number | undefined, hint?: string) =>
    new BackendError(extId, message, {
      retryable,
      ...(s !== undefined ? { status: s } : {}),
      ...(hint ? { hint } : {}),
    });

  switch (e.name) {
    case 'AuthenticationError':
      return fail(
        false,
        401,
        'check the E2B API key (secret_ref env:E2B_API_KEY) and the API URL (E2B_API_URL)',
      );
    case 'RateLimitError':
      return fail(true, 429, 'E2B rate-limited the request; retry later or lower concurrency');
    case 'ServiceBusyError':
      return fail(true, 503, 'E2B has no capacity right now; retry, or route to another backend');
    case 'TemplateError':
      return fail(
        false,
        status,
        'rebuild the E2B template with a current envd, or choose another config.template',
      );
    case 'SandboxNotFoundError':
    case 'NotFoundError':
      return fail(false, 404);
    case 'TimeoutError':
    case 'AbortError':
      return fail(true, status, 'the E2B API did not answer in time; retry');
    case 'InvalidArgumentError':
      return fail(false, undefined);
  }
  if (status !== undefined) {
    if (status === 429 || status >= 500) return fail(true, status);
    if (status === 404 && op === 'create')
      return fail(false, status, "the template does not exist: check the profile's config.template");
    return fail(false, status);
  }
  const net = networkCode(e);
  if (net)
    return fail(true, undefined, `cannot reach the E2B API (${net}); check the network and E2B_API_URL`);
  return fail(false, undefined);
}
