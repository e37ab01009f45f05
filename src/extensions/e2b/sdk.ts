import type * as E2b from 'e2b';
import { raceSignal } from '../../core/deadline.ts';
import { SandboxerError } from '../../core/errors.ts';
import type { ExtensionContext } from '../contract.ts';
import { mapE2bError } from './errors.ts';
import { GIVE_UP, isTransientStatus, retrying, type Verdict } from '../../core/retry.ts';
import { networkCode } from '../cloud-common.ts';

/** The `e2b` SDK, loaded lazily (so the CLI starts fast), and the connection options every call passes it. */
// Named (not `ReturnType<typeof importSdk>`) so the library's declarations (tsconfig.lib.json) can spell it.
export type E2bModule = typeof E2b;
const importSdk = () => import('e2b') as Promise<E2bModule>;

let sdk: Promise<E2bModule> | undefined;
const loadSdk = (): Promise<E2bModule> => (sdk ??= importSdk());

export interface ConnOpts {
  apiKey: string;
  apiUrl?: string;
  domain?: string;
  sandboxUrl?: string;
  debug: false;
  requestTimeoutMs: number;
  signal: AbortSignal;
}

export function connection(ctx: ExtensionContext): ConnOpts {
  const apiKey = ctx.secrets.get('api_key');
  if (!apiKey) {
    throw new SandboxerError('credentials', `${ctx.manifest.id}: no E2B API key was resolved`, {
      hint: 'set E2B_API_KEY (the secret_ref of the api_key credential in extensions/ext.e2b.yaml)',
    });
  }
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const apiUrl = str(ctx.config.api_url) ?? str(ctx.env.E2B_API_URL);
  const domain = str(ctx.config.domain) ?? str(ctx.env.E2B_DOMAIN);
  const sandboxUrl = str(ctx.config.sandbox_url) ?? str(ctx.env.E2B_SANDBOX_URL);
  return {
    apiKey,
    ...(apiUrl ? { apiUrl } : {}),
    ...(domain ? { domain } : {}),
    ...(sandboxUrl ? { sandboxUrl } : {}),
    // E2B_DEBUG makes the SDK skip the API entirely; never let the environment turn that on.
    debug: false,
    requestTimeoutMs: Number(ctx.config.request_timeout_ms ?? 30_000),
    signal: ctx.signal,
  };
}

/** The status an SDK error stands for: its class (429, 503), its statusCode, or an envd message "503: …". */
function sdkStatus(err: unknown): number | undefined {
  const e = err as { name?: string; statusCode?: unknown; message?: string };
  if (e?.name === 'RateLimitError') return 429;
  if (e?.name === 'ServiceBusyError') return 503;
  if (typeof e?.statusCode === 'number') return e.statusCode;
  const m = e?.name === 'SandboxError' ? /^(\d{3}): /.exec(e.message ?? '') : null;
  return m ? Number(m[1]) : undefined;
}

/** 429/502/503/504 and network failures are transient; the SDK does not expose Retry-After, so we back off. */
const e2bVerdict = (err: unknown): Verdict =>
  isTransientStatus(sdkStatus(err)) || networkCode(err) ? { retry: true } : GIVE_UP;

const transientWhy = (err: unknown) => {
  const s = sdkStatus(err);
  return s !== undefined ? `E2B answered ${s}` : `network error ${networkCode(err)}`;
};

export type E2bCall = <T>(
  ctx: ExtensionContext,
  op: string,
  fn: (conn: ConnOpts, m: E2bModule) => Promise<T>,
  opts?: { race?: boolean },
) => Promise<T>;

/**
 * Run one SDK operation with this context's connection; whatever it throws comes out mapped and redacted.
 * Raced against ctx.signal by default: after a GC the SDK's fetch may lose our abort (nodejs/node#55428), so never
 * wait on it alone. `race: false` is for work that handles the abort itself (exec kills its command first).
 */
export function e2bCaller(extId: string): E2bCall {
  return async (ctx, op, fn, opts = {}) => {
    const conn = connection(ctx);
    try {
      if (opts.race === false) return await loadSdk().then((m) => fn(conn, m));
      // Transient answers are tried again on E2B itself before routing may fall back (exec is never repeated).
      return await retrying(
        () =>
          raceSignal(
            loadSdk().then((m) => fn(conn, m)),
            ctx.signal,
            `${extId}: ${op}`,
          ),
        e2bVerdict,
        {
          signal: ctx.signal,
          onRetry: (err, wait) =>
            ctx.log.debug(`${extId}: ${op}: ${transientWhy(err)}; trying again in ${Math.round(wait)} ms`),
        },
      );
    } catch (err) {
      throw mapE2bError(extId, op, err, { signal: ctx.signal, secrets: [conn.apiKey] });
    }
  };
}
