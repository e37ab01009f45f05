import type * as E2b from 'e2b';
import { raceSignal } from '../../core/deadline.ts';
import { SandboxerError } from '../../core/errors.ts';
import type { ExtensionContext } from '../contract.ts';
import { mapE2bError } from './errors.ts';

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
      const work = loadSdk().then((m) => fn(conn, m));
      return await (opts.race === false ? work : raceSignal(work, ctx.signal, `${extId}: ${op}`));
    } catch (err) {
      throw mapE2bError(extId, op, err, { signal: ctx.signal, secrets: [conn.apiKey] });
    }
  };
}
