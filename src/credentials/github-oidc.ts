import { requestJson, Unreachable } from './http.ts';

/** Whether the GitHub Actions OIDC token endpoint is available (a job with `permissions: id-token: write`). */
export const githubOidcAvailable = (env: NodeJS.ProcessEnv): boolean =>
  Boolean(env.ACTIONS_ID_TOKEN_REQUEST_URL && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN);

/**
 * Fetch a GitHub Actions OIDC JWT (what core.getIDToken does), reading the endpoint from `env` so callers and
 * tests control it. Errors name the endpoint's answer, never the request token.
 */
export async function fetchGithubIdToken(
  env: NodeJS.ProcessEnv,
  opts: { audience?: string; signal?: AbortSignal; retryBaseMs?: number } = {},
): Promise<string> {
  const url = new URL(env.ACTIONS_ID_TOKEN_REQUEST_URL ?? '');
  if (opts.audience) url.searchParams.set('audience', opts.audience);
  let res;
  try {
    res = await requestJson(url.toString(), {
      headers: { authorization: `Bearer ${env.ACTIONS_ID_TOKEN_REQUEST_TOKEN ?? ''}` },
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.retryBaseMs !== undefined ? { retryBaseMs: opts.retryBaseMs } : {}),
    });
  } catch (err) {
    if (err instanceof Unreachable)
      throw new Error(`the GitHub OIDC token endpoint is unreachable (${err.detail})`);
    throw err;
  }
  const value = (res.body as { value?: unknown } | undefined)?.value;
  if (res.status !== 200 || typeof value !== 'string' || value === '') {
    throw new Error(
      `the GitHub OIDC token endpoint answered HTTP ${res.status}${res.status === 200 ? ' without a token' : ''} (does the job have permissions: id-token: write?)`,
    );
  }
  return value;
}
