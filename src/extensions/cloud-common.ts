import { BackendError, CancelledError, SandboxerError } from '../core/errors.ts';
import type { Resources } from '../catalog/schema.ts';
import type { Handle, Meter, SandboxRecord } from '../core/record.ts';
import type { ExtensionManifest } from '../catalog/schema.ts';
import { meterFromPricing } from '../payments/pricing.ts';
import { raceSignal } from '../core/deadline.ts';

/** Helpers shared by the metered cloud adapters (ext.e2b, ext.modal). */

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** The errno-like code of a network failure anywhere in the cause chain (fetch wraps it in a TypeError). */
export function networkCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Remove secret values from a provider message before it reaches a user, a log or the state store. */
export function redact(message: string, secrets: (string | undefined)[]): string {
  let out = message;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('***');
  return out;
}

/** Race a call that takes no AbortSignal against one; the call itself keeps running but we stop waiting. */
export const abortable = <T>(promise: Promise<T>, signal: AbortSignal): Promise<T> =>
  raceSignal(promise, signal);

/**
 * The provider-side timeout for a sandbox, in whole seconds (rounded down, so the provider never keeps it past the
 * recorded expiry): what is left of its TTL, or `config.default_timeout_s`
 * when it has none. Beyond the provider's maximum (`config.max_timeout_s`) the create is refused rather than
 * silently shortened, so the recorded expiry stays true.
 */
export function providerTimeoutSeconds(
  extId: string,
  sandbox: Pick<SandboxRecord, 'expires_at'>,
  config: Record<string, unknown>,
  now = Date.now(),
): number {
  const max = Number(config.max_timeout_s ?? 86_400);
  const seconds = sandbox.expires_at
    ? Math.floor((Date.parse(sandbox.expires_at) - now) / 1000)
    : Number(config.default_timeout_s ?? 3600);
  if (seconds <= 0) {
    throw new BackendError(
      extId,
      `the sandbox's TTL has already run out (expired at ${sandbox.expires_at})`,
      {
        retryable: false,
        hint: 'create it again with a longer --ttl',
      },
    );
  }
  if (seconds > max) {
    throw new BackendError(extId, `a lifetime of ${seconds}s exceeds this backend's maximum of ${max}s`, {
      retryable: false,
      hint: `use --ttl ${Math.floor(max / 60)}m or less, or raise config.max_timeout_s if your plan allows longer sessions`,
    });
  }
  return seconds;
}

/** String-valued entries of `config.env` (the environment variables a profile asks for inside the sandbox). */
export function configEnv(config: Record<string, unknown>): Record<string, string> {
  const env = config.env;
  if (!env || typeof env !== 'object') return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env as Record<string, unknown>)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
  }
  return out;
}

/**
 * The actual meter of a cloud sandbox: per-second pricing over the provider's own start time (recorded in the
 * handle as `started_at`) to the end, on the resources the provider really allocated when it reported them.
 */
export function cloudMeter(
  manifest: ExtensionManifest,
  sandbox: Readonly<SandboxRecord>,
  ended_at: string,
): Meter {
  const h: Handle = sandbox.handle;
  const resources: Resources = {
    ...sandbox.resources,
    ...(typeof h.cpu_count === 'number' ? { cpu: h.cpu_count } : {}),
    ...(typeof h.memory_mb === 'number' ? { memory_mib: h.memory_mb } : {}),
  };
  const started = typeof h.started_at === 'string' ? h.started_at : (sandbox.ready_at ?? sandbox.created_at);
  return meterFromPricing(manifest.pricing, resources, started, ended_at);
}

/**
 * The common start of mapping an SDK error: our own errors pass through, a cancelled caller wins over whatever
 * the SDK made of the abort, and the message is prefixed with the operation and scrubbed of secret values.
 */
export function sdkFailure(
  extId: string,
  op: string,
  err: unknown,
  opts: { signal?: AbortSignal; secrets?: (string | undefined)[] },
): SandboxerError | { e: Error; message: string } {
  if (err instanceof SandboxerError) return err;
  if (opts.signal?.aborted) return new CancelledError(`${extId}: ${op} cancelled`);
  const e = err instanceof Error ? err : new Error(String(err));
  return { e, message: `${op} failed: ${redact(e.message, opts.secrets ?? [])}` };
}
