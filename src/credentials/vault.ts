import { fetchGithubIdToken, githubOidcAvailable } from './github-oidc.ts';
import { requestJson, Unreachable, type JsonResponse } from './http.ts';
import { SecretUnavailable, type Precheck, type SchemeContext, type SecretScheme } from './resolver.ts';

/**
 * `vault:<mount>/<path>#<key>` — a key of an OpenBao/Vault KV v2 secret, read with
 * `GET <addr>/v1/<mount>/data/<path>` (the value is at `.data.data[<key>]`).
 *
 * Environment (the VAULT_* name wins over BAO_*): VAULT_ADDR / BAO_ADDR (required), VAULT_NAMESPACE,
 * VAULT_TOKEN; without a token, inside GitHub Actions with `id-token: write`, a JWT login:
 * the job's OIDC token is exchanged at `<addr>/v1/auth/<VAULT_AUTH_PATH|jwt>/login` for role VAULT_ROLE,
 * the OIDC audience being VAULT_JWT_AUDIENCE (GitHub's default when unset).
 */
export interface VaultRef {
  mount: string;
  path: string;
  key: string;
}

export function parseVaultRef(ref: string): VaultRef | undefined {
  const m = /^([^/#\s]+)\/([^#\s]+)#([^#\s]+)$/.exec(ref);
  return m ? { mount: m[1]!, path: m[2]!.replace(/\/+$/, ''), key: m[3]! } : undefined;
}

const pickEnv = (env: NodeJS.ProcessEnv, name: string): string | undefined =>
  env[`VAULT_${name}`] || env[`BAO_${name}`] || undefined;

interface VaultConfig {
  addr: string;
  namespace?: string;
  token?: string;
  role?: string;
  authPath: string;
  audience?: string;
}

function config(env: NodeJS.ProcessEnv): VaultConfig | undefined {
  const addr = pickEnv(env, 'ADDR');
  if (!addr) return undefined;
  const opt = (name: string) => {
    const v = pickEnv(env, name);
    return v ? { [name.toLowerCase()]: v } : {};
  };
  return {
    addr: addr.replace(/\/+$/, ''),
    authPath: (pickEnv(env, 'AUTH_PATH') ?? 'jwt').replace(/^\/+|\/+$/g, ''),
    ...opt('NAMESPACE'),
    ...opt('TOKEN'),
    ...opt('ROLE'),
    ...(pickEnv(env, 'JWT_AUDIENCE') ? { audience: pickEnv(env, 'JWT_AUDIENCE')! } : {}),
  };
}

const encodePath = (p: string) => p.split('/').map(encodeURIComponent).join('/');

export function vaultScheme(opts: { retryBaseMs?: number } = {}): SecretScheme {
  // One login per process and Vault identity; a failed login is forgotten so the next resolve retries it.
  const tokens = new Map<string, Promise<string>>();

  const headers = (cfg: VaultConfig, token?: string): Record<string, string> => ({
    ...(token ? { 'x-vault-token': token } : {}),
    ...(cfg.namespace ? { 'x-vault-namespace': cfg.namespace } : {}),
  });

  async function call(ref: string, cfg: VaultConfig, url: string, req: Parameters<typeof requestJson>[1]) {
    try {
      return await requestJson(url, {
        ...req,
        ...(opts.retryBaseMs !== undefined ? { retryBaseMs: opts.retryBaseMs } : {}),
      });
    } catch (err) {
      if (err instanceof Unreachable)
        throw new SecretUnavailable(ref, `cannot reach Vault at ${cfg.addr} (${err.detail})`, {
          retryable: true,
        });
      throw err;
    }
  }

  async function jwtLogin(ref: string, cfg: VaultConfig, ctx: SchemeContext): Promise<string> {
    if (!cfg.role)
      throw new SecretUnavailable(
        ref,
        'no VAULT_TOKEN, and VAULT_ROLE (the JWT auth role for GitHub OIDC) is not set',
      );
    let jwt: string;
    try {
      jwt = await fetchGithubIdToken(ctx.env, {
        ...(cfg.audience ? { audience: cfg.audience } : {}),
        ...(ctx.signal ? { signal: ctx.signal } : {}),
        ...(opts.retryBaseMs !== undefined ? { retryBaseMs: opts.retryBaseMs } : {}),
      });
    } catch (err) {
      if (ctx.signal?.aborted) throw err;
      throw new SecretUnavailable(ref, (err as Error).message);
    }
    ctx.mask?.(jwt);
    const res = await call(ref, cfg, `${cfg.addr}/v1/auth/${encodePath(cfg.authPath)}/login`, {
      method: 'POST',
      headers: headers(cfg),
      body: { role: cfg.role, jwt },
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    const token = (res.body as { auth?: { client_token?: unknown } } | undefined)?.auth?.client_token;
    if (res.status !== 200 || typeof token !== 'string' || token === '')
      throw new SecretUnavailable(
        ref,
        `Vault JWT login at auth/${cfg.authPath} for role '${cfg.role}' failed (HTTP ${res.status})`,
      );
    ctx.mask?.(token);
    return token;
  }

  function token(ref: string, cfg: VaultConfig, ctx: SchemeContext): Promise<string> {
    if (cfg.token) return Promise.resolve(cfg.token);
    const key = [cfg.addr, cfg.namespace, cfg.authPath, cfg.role, cfg.audience].join('|');
    let p = tokens.get(key);
    if (!p) {
      p = jwtLogin(ref, cfg, ctx);
      tokens.set(key, p);
      p.catch(() => tokens.delete(key));
    }
    return p;
  }

  function explainStatus(res: JsonResponse, v: VaultRef): string {
    if (res.status === 404)
      return `no secret at ${v.mount}/${v.path} (HTTP 404; is ${v.mount} a KV v2 mount?)`;
    if (res.status === 403 || res.status === 401)
      return `permission denied reading ${v.mount}/${v.path} (HTTP ${res.status}): check the token's policy`;
    return `Vault answered HTTP ${res.status} reading ${v.mount}/${v.path}`;
  }

  function precheck(ref: string, env: NodeJS.ProcessEnv): Precheck {
    if (!parseVaultRef(ref)) return { status: 'missing', reason: 'must be vault:<mount>/<path>#<key>' };
    const cfg = config(env);
    if (!cfg) return { status: 'missing', reason: 'VAULT_ADDR (or BAO_ADDR) is not set' };
    if (!cfg.token && !githubOidcAvailable(env))
      return {
        status: 'missing',
        reason:
          'no Vault token: set VAULT_TOKEN, or run in GitHub Actions with permissions id-token: write and VAULT_ROLE',
      };
    return { status: 'unknown' };
  }

  return {
    scheme: 'vault',
    precheck,

    async resolve(ref, ctx) {
      const full = `vault:${ref}`;
      const v = parseVaultRef(ref);
      if (!v) throw new SecretUnavailable(full, 'must be vault:<mount>/<path>#<key>');
      const pre = precheck(ref, ctx.env);
      if (pre.status === 'missing') throw new SecretUnavailable(full, pre.reason!);
      const cfg = config(ctx.env)!;
      const res = await call(full, cfg, `${cfg.addr}/v1/${encodePath(v.mount)}/data/${encodePath(v.path)}`, {
        headers: headers(cfg, await token(full, cfg, ctx)),
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      });
      if (res.status !== 200)
        throw new SecretUnavailable(full, explainStatus(res, v), { retryable: res.status >= 500 });
      const data = (res.body as { data?: { data?: Record<string, unknown> | null } } | undefined)?.data?.data;
      if (!data || typeof data !== 'object')
        throw new SecretUnavailable(full, `${v.mount}/${v.path} is not a KV v2 secret (no .data.data)`);
      const value = data[v.key];
      if (value === undefined || value === null || value === '')
        throw new SecretUnavailable(full, `key '${v.key}' is not set in ${v.mount}/${v.path}`);
      if (typeof value === 'object')
        throw new SecretUnavailable(full, `key '${v.key}' in ${v.mount}/${v.path} is not a string`);
      return String(value);
    },
  };
}
