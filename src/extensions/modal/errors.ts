import { BackendError, SandboxerError } from '../../core/errors.ts';
import { networkCode, sdkFailure } from '../cloud-common.ts';

/** gRPC status codes (as nice-grpc's ClientError carries them in `code`). */
export const GrpcStatus = {
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

const RETRYABLE_GRPC = new Set<number>([
  GrpcStatus.CANCELLED,
  GrpcStatus.UNKNOWN,
  GrpcStatus.DEADLINE_EXCEEDED,
  GrpcStatus.RESOURCE_EXHAUSTED,
  GrpcStatus.ABORTED,
  GrpcStatus.INTERNAL,
  GrpcStatus.UNAVAILABLE,
]);

/** True when Modal says the object does not exist (a terminated sandbox, a deleted image). */
export function isModalNotFound(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return err.name === 'NotFoundError' || (err as { code?: unknown }).code === GrpcStatus.NOT_FOUND;
}

/** True when Modal refused a request outright (authentication, permission, invalid input, unknown image). */
export function isModalRefusal(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'InvalidError' || err.name === 'NotFoundError') return true;
  const code = (err as { code?: unknown }).code;
  return (
    code === GrpcStatus.UNAUTHENTICATED ||
    code === GrpcStatus.PERMISSION_DENIED ||
    code === GrpcStatus.INVALID_ARGUMENT ||
    code === GrpcStatus.NOT_FOUND
  );
}

/**
 * Map what the modal SDK threw into a SandboxerError: capacity (ResourceExhausted), transient gRPC statuses,
 * timeouts and network failures are retryable; authentication, bad images and bad input are not.
 */
export function mapModalError(
  extId: string,
  op: string,
  err: unknown,
  opts: { signal?: AbortSignal; secrets?: (string | undefined)[] } = {},
): SandboxerError {
  const started = sdkFailure(extId, op, err, opts);
  if (started instanceof SandboxerError) return started;
  const { e, message } = started;
  const fail = (retryable: boolean, hint?: string) =>
    new BackendError(extId, message, { retryable, ...(hint ? { hint } : {}) });

  switch (e.name) {
    case 'ResourceExhaustedError':
      return fail(
        true,
        'Modal has no capacity for this request right now; retry, or route to another backend',
      );
    case 'TimeoutError':
    case 'InternalFailure':
    case 'SandboxTimeoutError':
      return fail(true);
    case 'NotFoundError':
      return fail(false);
    case 'InvalidError':
      return fail(false, "Modal rejected the request: check the profile's config.image, gpu and resources");
    case 'AlreadyExistsError':
    case 'ConflictError':
      return fail(false);
  }
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'number') {
    if (code === GrpcStatus.UNAUTHENTICATED || code === GrpcStatus.PERMISSION_DENIED) {
      return fail(
        false,
        'check MODAL_TOKEN_ID / MODAL_TOKEN_SECRET (the token_id and token_secret credentials)',
      );
    }
    return fail(RETRYABLE_GRPC.has(code));
  }
  const net = networkCode(e);
  if (net) return fail(true, `cannot reach Modal (${net}); check the network and MODAL_SERVER_URL`);
  return fail(false);
}
