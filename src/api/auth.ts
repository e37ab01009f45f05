import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { SecretRef } from '../catalog/schema.ts';
import { SandboxerError, usageError } from '../core/errors.ts';
import type { CredentialResolver } from '../credentials/resolver.ts';
import { HttpError } from './http-error.ts';

export const MIN_TOKEN_LENGTH = 16;

/** 127.0.0.0/8, ::1 (and its IPv4-mapped form) or the name localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h);
  return false;
}

/** Resolve the bearer token from a secret_ref (env:NAME, file:PATH). The value never appears in messages. */
export async function resolveApiToken(
  ref: string,
  credentials: CredentialResolver,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  if (!SecretRef.safeParse(ref).success)
    throw usageError(`--token-ref '${ref}' is not a secret_ref`, 'use env:NAME or file:PATH');
  const { secrets, missing } = await credentials.resolve(
    [{ name: 'api_token', secret_ref: ref, required: true }],
    {
      env,
    },
  );
  const token = secrets.get('api_token');
  if (missing.length || token === undefined)
    throw new SandboxerError(
      'credentials',
      `API token ${ref} cannot be resolved: ${missing[0]?.reason ?? 'empty'}`,
      {
        hint: 'set the referenced environment variable or file, or pass another --token-ref',
      },
    );
  if (token.trim().length < MIN_TOKEN_LENGTH)
    throw new SandboxerError(
      'credentials',
      `the API token from ${ref} is shorter than ${MIN_TOKEN_LENGTH} characters`,
      {
        hint: 'use a long random token, e.g. `openssl rand -hex 32`',
      },
    );
  return token.trim();
}

/**
 * A caller of the HTTP API: each bearer token names one, with its tenancy scope; an admin one sees every sandbox
 * (docs/http-api.md, "Callers and scopes").
 */
export interface ApiCaller {
  id: string;
  scope: string;
  admin: boolean;
}

/** A caller's token as the server keeps it: only its SHA-256, never the value. */
export interface ApiToken extends ApiCaller {
  digest: Buffer;
}

/** The caller of `--token-ref` / SANDBOXER_API_TOKEN_REF (the single-token configuration): an admin. */
export const DEFAULT_CALLER: ApiCaller = { id: 'default', scope: 'default', admin: true };
/** The caller of a loopback server started without any token: whoever can reach it, as an admin. */
export const LOCAL_CALLER: ApiCaller = { id: 'local', scope: 'local', admin: true };

export const tokenDigest = (token: string): Buffer => createHash('sha256').update(token).digest();

/**
 * The caller of `Authorization: Bearer <token>`, compared in constant time with every known token (no early exit);
 * throws a 401 HttpError when none matches.
 */
export function authenticate(header: string | undefined, tokens: readonly ApiToken[]): ApiCaller {
  const challenge = { 'WWW-Authenticate': 'Bearer realm="sandboxer"' };
  const hint = 'send Authorization: Bearer <token> (a token of the server --token-ref or --tokens-file)';
  if (!header) {
    throw new HttpError(401, 'unauthorized', 'missing Authorization header', { hint, headers: challenge });
  }
  const m = /^Bearer +(\S+) *$/i.exec(header);
  const presented = tokenDigest(m?.[1] ?? '');
  let found: ApiToken | undefined;
  for (const t of tokens) if (timingSafeEqual(presented, t.digest) && m) found ??= t;
  if (!found) {
    throw new HttpError(401, 'unauthorized', 'invalid bearer token', {
      hint,
      headers: { ...challenge, 'WWW-Authenticate': 'Bearer realm="sandboxer", error="invalid_token"' },
    });
  }
  return { id: found.id, scope: found.scope, admin: found.admin };
}
