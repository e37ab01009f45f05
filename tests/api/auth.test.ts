import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoopbackHost, resolveApiToken } from '../../src/api/auth.ts';
import { startApiServer } from '../../src/api/server.ts';
import { CredentialResolver } from '../../src/credentials/resolver.ts';
import { tempDir } from '../helpers/env.ts';
import { startTestApi, type TestApi } from './harness.ts';

const TOKEN = 'f3a1c0ffee0123456789abcdef012345';

describe('bearer-token auth', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ token: TOKEN });
  });
  afterAll(async () => {
    await api.stop();
  });

  it('accepts the right token and refuses a missing or wrong one', async () => {
    expect((await api.call('GET', '/v1/sandboxes', { token: TOKEN })).status).toBe(200);
    expect(
      (await api.call('GET', '/v1/sandboxes', { headers: { authorization: `bearer ${TOKEN}` } })).status,
    ).toBe(200);
    const missing = await api.call('GET', '/v1/sandboxes');
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer realm="sandboxer"');
    const basic = await api.call('GET', '/v1/sandboxes', { headers: { authorization: `Basic ${TOKEN}` } });
    expect(basic.status).toBe(401);
    expect(basic.body.error.message).toBe('invalid bearer token');
  });

  it('checks auth before touching anything: an unauthenticated create makes no record', async () => {
    const r = await api.call('POST', '/v1/sandboxes', { json: {} });
    expect(r.status).toBe(401);
    expect((await api.manager.list()).length).toBe(0);
  });

  it('serves /healthz and /openapi.json without a token', async () => {
    expect((await api.call('GET', '/healthz')).status).toBe(200);
    const doc = await api.call('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\.1\./);
  });

  it('with a token, any Host header is accepted (the token is the protection)', async () => {
    const r = await api.call('GET', '/v1/sandboxes', {
      token: TOKEN,
      headers: { host: 'sandboxer.example:80' },
    });
    expect(r.status).toBe(200);
  });
});

describe('loopback-only without a token', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => {
    await api.stop();
  });

  it('serves loopback Host names and refuses others (DNS rebinding)', async () => {
    expect((await api.call('GET', '/v1/sandboxes')).status).toBe(200);
    expect(
      (await api.call('GET', '/v1/sandboxes', { headers: { host: `localhost:${api.server.port}` } })).status,
    ).toBe(200);
    const rebound = await api.call('GET', '/v1/sandboxes', {
      headers: { host: `attacker.example:${api.server.port}` },
    });
    expect(rebound.status).toBe(403);
    expect(rebound.body.error.code).toBe('forbidden');
  });
});

describe('starting the server', () => {
  it('refuses a non-loopback address without a token, before binding', async () => {
    const api = await startTestApi();
    try {
      await expect(startApiServer({ manager: api.manager, host: '0.0.0.0', port: 0 })).rejects.toMatchObject({
        code: 'usage',
        message: expect.stringContaining('without a bearer token'),
      });
    } finally {
      await api.stop();
    }
  });

  it('reports a port in use as a usage error', async () => {
    const api = await startTestApi();
    try {
      await expect(startApiServer({ manager: api.manager, port: api.server.port })).rejects.toMatchObject({
        code: 'usage',
        message: expect.stringContaining('EADDRINUSE'),
      });
    } finally {
      await api.stop();
    }
  });

  it('knows loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1'])
      expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.10', 'example.com', '128.0.0.1', ''])
      expect(isLoopbackHost(h), h).toBe(false);
  });
});

describe('token from a secret_ref', () => {
  const credentials = new CredentialResolver();
  const tmp = tempDir('sbx-api-token-');
  afterAll(() => tmp.cleanup());

  it('resolves env: and file: refs (a trailing newline is not part of the token)', async () => {
    expect(await resolveApiToken('env:API_TOKEN', credentials, { API_TOKEN: TOKEN })).toBe(TOKEN);
    const file = join(tmp.dir, 'token');
    writeFileSync(file, `${TOKEN}\n`, { mode: 0o600 });
    expect(await resolveApiToken(`file:${file}`, credentials, {})).toBe(TOKEN);
  });

  it('refuses missing, short and malformed refs without echoing a value', async () => {
    await expect(resolveApiToken('env:API_TOKEN', credentials, {})).rejects.toMatchObject({
      code: 'credentials',
      message: expect.stringContaining('API_TOKEN is not set'),
    });
    const short = 'short-secret';
    const err = await resolveApiToken('env:API_TOKEN', credentials, { API_TOKEN: short }).catch(
      (e: Error) => e,
    );
    expect(err).toMatchObject({ code: 'credentials' });
    expect((err as Error).message).not.toContain(short);
    await expect(resolveApiToken('API_TOKEN', credentials, {})).rejects.toMatchObject({ code: 'usage' });
  });
});
