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

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Checks `Authorization: Bearer <token>` in constant time; throws a 401 HttpError otherwise. */
export function checkBearer(header: string | undefined, token: string): void {
  const challenge = { 'WWW-Authenticate': 'Bearer realm="sandboxer"' };
  if (!header) {
    throw new HttpError(401, 'unauthorized', 'missing Authorization header', {
      hint: 'send Authorization: Bearer <token> (the value behind the server --token-ref)',
      headers: challenge,
    });
  }
  const m = /^Bearer +(\S+) *$/i.exec(header);
  if (!m || !timingSafeEqual(digest(m[1]!), digest(token))) {
    throw new HttpError(401, 'unauthorized', 'invalid bearer token', {
      hint: 'send Authorization: Bearer <token> (the value behind the server --token-ref)',
      headers: { ...challenge, 'WWW-Authenticate': 'Bearer realm="sandboxer", error="invalid_token"' },
    });
  }
}
