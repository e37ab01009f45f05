import { afterEach, describe, expect, it } from 'vitest';
import {
  CredentialResolver,
  envScheme,
  fileScheme,
  SecretUnavailable,
} from '../../src/credentials/resolver.ts';
import { parseVaultRef, vaultScheme } from '../../src/credentials/vault.ts';
import { startKvServer, type KvServer } from './kv-server.ts';

const VALUE = 'kv-value-5f1c9a3e0b7d42c6';
const TOKEN = 'hvs.static-token-abc';
let server: KvServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const resolve = (ref: string, env: NodeJS.ProcessEnv, mask?: (v: string) => void) =>
  vaultScheme({ retryBaseMs: 0 }).resolve(ref, { env, ...(mask ? { mask } : {}) });

describe('vault: refs', () => {
  it('parses mount, path and key', () => {
    expect(parseVaultRef('secret/ci/e2b#api_key')).toEqual({
      mount: 'secret',
      path: 'ci/e2b',
      key: 'api_key',
    });
    expect(parseVaultRef('secret#key')).toBeUndefined();
    expect(parseVaultRef('secret/path')).toBeUndefined();
  });

  it('reads a KV v2 key with the token and namespace from the environment', async () => {
    server = await startKvServer({
      secrets: { 'kv/team/ci': { api_key: VALUE } },
      token: TOKEN,
      namespace: 'ns1',
    });
    const value = await resolve('kv/team/ci#api_key', {
      VAULT_ADDR: `${server.url}/`,
      VAULT_TOKEN: TOKEN,
      VAULT_NAMESPACE: 'ns1',
    });
    expect(value).toBe(VALUE);
    const req = server.seen.at(-1)!;
    expect(req.url).toBe('/v1/kv/data/team/ci');
    expect(req.headers['x-vault-token']).toBe(TOKEN);
    expect(req.headers['x-vault-namespace']).toBe('ns1');
  });

  it('accepts the OpenBao names (BAO_ADDR, BAO_TOKEN)', async () => {
    server = await startKvServer({ secrets: { 'secret/a': { k: VALUE } }, token: TOKEN });
    expect(await resolve('secret/a#k', { BAO_ADDR: server.url, BAO_TOKEN: TOKEN })).toBe(VALUE);
  });

  it('explains 404, 403, a missing key and a non-string value without quoting any value', async () => {
    server = await startKvServer({
      secrets: { 'secret/a': { k: VALUE, obj: { nested: VALUE } } },
      token: TOKEN,
    });
    const env = { VAULT_ADDR: server.url, VAULT_TOKEN: TOKEN };
    const cases: [string, NodeJS.ProcessEnv, RegExp][] = [
      ['secret/missing#k', env, /no secret at secret\/missing \(HTTP 404/],
      ['secret/a#k', { ...env, VAULT_TOKEN: 'wrong' }, /permission denied .*HTTP 403/],
      ['secret/a#other', env, /key 'other' is not set in secret\/a/],
      ['secret/a#obj', env, /key 'obj' in secret\/a is not a string/],
    ];
    for (const [ref, e, re] of cases) {
      const err = await resolve(ref, e).catch((x: unknown) => x);
      expect(err).toBeInstanceOf(SecretUnavailable);
      expect((err as Error).message).toMatch(re);
      expect((err as Error).message).toContain(`vault:${ref}`);
      expect((err as Error).message).not.toContain(VALUE);
      expect((err as Error).message).not.toContain('wrong');
    }
  });

  it('retries a 503 and then reads the value', async () => {
    server = await startKvServer({
      secrets: { 'secret/a': { k: VALUE } },
      token: TOKEN,
      failFirst: { count: 2, status: 503 },
    });
    expect(await resolve('secret/a#k', { VAULT_ADDR: server.url, VAULT_TOKEN: TOKEN })).toBe(VALUE);
    expect(server.seen.filter((r) => r.url === '/v1/secret/data/a')).toHaveLength(3);
  });

  it('reports an unreachable server as retryable, naming the address', async () => {
    server = await startKvServer({ secrets: {}, token: TOKEN });
    const addr = server.url;
    await server.close();
    server = undefined;
    const err = (await resolve('secret/a#k', { VAULT_ADDR: addr, VAULT_TOKEN: TOKEN }).catch(
      (x: unknown) => x,
    )) as SecretUnavailable;
    expect(err).toBeInstanceOf(SecretUnavailable);
    expect(err.message).toContain(`cannot reach Vault at ${addr}`);
    expect(err.retryable).toBe(true);
  });

  it('a cancelled resolve is a cancellation; a deadline running out is a missing credential', async () => {
    server = await startKvServer({ secrets: { 'secret/a': { k: VALUE } }, token: TOKEN, hang: true });
    const resolver = new CredentialResolver([vaultScheme({ retryBaseMs: 0 })]);
    const spec = { name: 'k', secret_ref: 'vault:secret/a#k', required: true };
    const env = { VAULT_ADDR: server.url, VAULT_TOKEN: TOKEN };
    const ac = new AbortController();
    const pending = resolver.resolve([spec], { env, signal: ac.signal });
    while (!server.seen.length) await new Promise((r) => setTimeout(r, 10));
    ac.abort(new Error('SIGINT'));
    await expect(pending).rejects.toMatchObject({ code: 'cancelled' });
    const timedOut = await resolver.resolve([spec], { env, signal: AbortSignal.timeout(300) });
    expect(timedOut.missing).toEqual([{ name: 'k', secret_ref: 'vault:secret/a#k', reason: 'timed out' }]);
  });

  it('prechecks the configuration without a request', () => {
    const s = vaultScheme();
    expect(s.precheck!('secret/a#k', {})).toMatchObject({
      status: 'missing',
      reason: expect.stringMatching(/VAULT_ADDR/),
    });
    expect(s.precheck!('secret/a#k', { VAULT_ADDR: 'http://127.0.0.1:1' })).toMatchObject({
      status: 'missing',
      reason: expect.stringMatching(/id-token: write/),
    });
    expect(s.precheck!('secret/a#k', { VAULT_ADDR: 'http://127.0.0.1:1', VAULT_TOKEN: 't' })).toEqual({
      status: 'unknown',
    });
    expect(
      s.precheck!('secret/a#k', {
        VAULT_ADDR: 'http://127.0.0.1:1',
        ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:1/oidc',
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'r',
      }),
    ).toEqual({ status: 'unknown' });
  });
});

describe('vault: GitHub OIDC JWT login', () => {
  const JWT = 'eyJhbGciOiJSUzI1NiJ9.github-oidc-claims.sig';
  const LOGIN = 'hvs.from-jwt-login-77';
  const REQUEST_TOKEN = 'actions-request-token-1';

  async function oidcServer() {
    return startKvServer({
      secrets: { 'secret/ci': { key: VALUE } },
      token: 'not-used',
      jwt: { path: 'jwt-github', role: 'ci-role', jwt: JWT, loginToken: LOGIN },
      oidc: { requestToken: REQUEST_TOKEN, tokens: { 'https://vault.example': JWT } },
    });
  }

  const oidcEnv = (url: string): NodeJS.ProcessEnv => ({
    VAULT_ADDR: url,
    VAULT_ROLE: 'ci-role',
    VAULT_AUTH_PATH: 'jwt-github',
    VAULT_JWT_AUDIENCE: 'https://vault.example',
    ACTIONS_ID_TOKEN_REQUEST_URL: `${url}/oidc?api-version=2.0`,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: REQUEST_TOKEN,
  });

  it('exchanges the job OIDC token for a Vault token once, masks both, and reads the secret', async () => {
    server = await oidcServer();
    const masked: string[] = [];
    const scheme = vaultScheme({ retryBaseMs: 0 });
    const ctx = { env: oidcEnv(server.url), mask: (v: string) => masked.push(v) };
    expect(await scheme.resolve('secret/ci#key', ctx)).toBe(VALUE);
    expect(await scheme.resolve('secret/ci#key', ctx)).toBe(VALUE);

    const oidc = server.seen.filter((r) => r.url.startsWith('/oidc'));
    expect(oidc).toHaveLength(1);
    expect(oidc[0]!.url).toBe('/oidc?api-version=2.0&audience=https%3A%2F%2Fvault.example');
    const logins = server.seen.filter((r) => r.url === '/v1/auth/jwt-github/login');
    expect(logins).toHaveLength(1);
    expect(JSON.parse(logins[0]!.body)).toEqual({ role: 'ci-role', jwt: JWT });
    const reads = server.seen.filter((r) => r.url === '/v1/secret/data/ci');
    expect(reads.map((r) => r.headers['x-vault-token'])).toEqual([LOGIN, LOGIN]);
    expect(masked).toEqual(expect.arrayContaining([JWT, LOGIN]));
  });

  it('names the failing step when the login is refused or the role is not set', async () => {
    server = await oidcServer();
    const env = oidcEnv(server.url);
    const fail = (e: NodeJS.ProcessEnv) =>
      resolve('secret/ci#key', e).then(
        () => new Error('resolved'),
        (err: Error) => err,
      );
    const refused = await fail({ ...env, VAULT_ROLE: 'other-role' });
    expect(refused.message).toMatch(
      /JWT login at auth\/jwt-github for role 'other-role' failed \(HTTP 400\)/,
    );
    const noRole = await fail({ ...env, VAULT_ROLE: '' });
    expect(noRole.message).toMatch(/VAULT_ROLE .* is not set/);
    const badAudience = await fail({ ...env, VAULT_JWT_AUDIENCE: 'x' });
    expect(badAudience.message).toMatch(/OIDC token endpoint answered HTTP 400/);
    for (const e of [refused, noRole, badAudience]) {
      expect(e.message).not.toContain(REQUEST_TOKEN);
      expect(e.message).not.toContain(JWT);
    }
  });

  it('through the resolver: values reach onResolved, failures become reasons naming the ref', async () => {
    server = await oidcServer();
    const resolver = new CredentialResolver([envScheme, fileScheme, vaultScheme({ retryBaseMs: 0 })]);
    const seen: string[] = [];
    resolver.onResolved = (v) => seen.push(v);
    const { secrets, missing } = await resolver.resolve(
      [
        { name: 'key', secret_ref: 'vault:secret/ci#key', required: true },
        { name: 'gone', secret_ref: 'vault:secret/none#key', required: true },
      ],
      { env: oidcEnv(server.url) },
    );
    expect(secrets.get('key')).toBe(VALUE);
    expect(seen).toEqual(expect.arrayContaining([VALUE, JWT, LOGIN]));
    expect(missing).toEqual([
      { name: 'gone', secret_ref: 'vault:secret/none#key', reason: expect.stringMatching(/HTTP 404/) },
    ]);
  });
});
