import type { OutgoingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type CallOptions, type TestApi } from './harness.ts';
import { openApiValidator } from './schema-check.ts';

const TOKEN = 'test-token-0123456789abcdef';
const schemas = openApiValidator();
const SBX = 'sbx-000000000000';

interface Case {
  name: string;
  method: string;
  path: string;
  json?: unknown;
  raw?: string;
  headers?: OutgoingHttpHeaders;
  /** Send without the bearer token. */
  anonymous?: boolean;
  token?: string;
  status: number;
  code: string;
  /** A fragment the message must contain (it says what was wrong). */
  says?: RegExp;
}

const tooManyLabels = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`l${i}`, 'v']));

const corpus: Case[] = [
  {
    name: 'body is not JSON',
    method: 'POST',
    path: '/v1/sandboxes',
    raw: '{"profile":',
    headers: { 'content-type': 'application/json' },
    status: 400,
    code: 'validation',
    says: /not valid JSON/,
  },
  {
    name: 'body is an array',
    method: 'POST',
    path: '/v1/sandboxes',
    json: [],
    status: 400,
    code: 'validation',
    says: /expected object/,
  },
  {
    name: 'body is a string',
    method: 'POST',
    path: '/v1/sandboxes',
    json: 'profile.saas-stub',
    status: 400,
    code: 'validation',
  },
  {
    name: 'body is null',
    method: 'POST',
    path: '/v1/sandboxes',
    json: null,
    status: 400,
    code: 'validation',
  },
  {
    name: 'unknown field (typo)',
    method: 'POST',
    path: '/v1/sandboxes',
    json: { profil: 'profile.saas-stub' },
    status: 400,
    code: 'validation',
    says: /profil/,
  },
  {
    name: 'profile is a number',
    method: 'POST',
    path: '/v1/sandboxes',
    json: { profile: 5 },
    status: 400,
    code: 'validation',
    says: /profile/,
  },
  {
    name: 'profile id malformed',
    method: 'POST',
    path: '/v1/sandboxes',
    json: { profile: 'saas-stub' },
    status: 400,
    code: 'validation',
    says: /profile\.<name>/,
  },
  {
    name: 'profile id with NUL',
    method: 'POST',
    path: '/v1/sandboxes',
    json: { profile: 'profile.a\u0000b' },
    status: 400,
    code: 'validation',
  },
  {
    name: 'ttl without a unit',
    method: 'POST',
    path: '/v1/sandboxes',
    json: { ttl: '3600' },
    status: 400,
    code: 'validation',
    says: /duration/,
  },
  {
    name: 'ttl negative',
    method: 'POST',
    path: '/v1/sandboxes',
    json: { ttl: '-5m' },
    status: 400,
    code: 'validation',
    says: /duration/,
  },
  {
    name: 'ttl over the profile maximum',
    method: 'POST',
    path: '/v1/sandboxes',
    json: { ttl: '48h' },
    status: 400,
    code: 'usage',
    says: /maximum/,
  },
  {
    name: 'ttl that overflows a date (#15)',
    method: 'POST',
    path: '/v1/sandboxes',
    json: { ttl: '99999999999d' },
    status: 400,
    code: 'validation',
    says: /duration/,
  },
  {
    name: 'ttl is a number',
    method: 'POST',
    path: '/v1/sandboxes',
    json: { ttl: 3600 },
    status: 400,
    code: 'validation',
  },
  {
    name: 'unknown route strategy',
    method: 'POST',
    path: '/v1/sandboxes',
    json: { route: 'fastest' },
    status: 400,
    code: 'validation',
    says: /route/,
  },
  {
    name: 'input value not a string',
    method: 'POST',
    path: '/v1/sandboxes',
    json: { inputs: { repo: 1 } },
    status: 400,
    code: 'validation',
    says: /inputs\.repo/,
  },
  {
    name: 'input the profile does not take',
    method: 'POST',
    path: '/v1/sandboxes',
    json: { inputs: { repo: 'x' } },
    status: 400,
    code: 'usage',
    says: /no input 'repo'/,
  },
  {
    name: '__proto__ as an input name',
    method: 'POST',
    path: '/v1/sandboxes',
    raw: '{"inputs": {"__proto__": "x"}}',
    headers: { 'content-type': 'application/json' },
    status: 400,
    code: 'validation',
    says: /__proto__/,
  },
  {
    name: 'reserved label namespace',
    method: 'POST',
    path: '/v1/sandboxes',
    json: { labels: { 'io.sandboxer.scope': 'x' } },
    status: 400,
    code: 'validation',
    says: /reserved/,
  },
  {
    name: 'label key with a space',
    method: 'POST',
    path: '/v1/sandboxes',
    json: { labels: { 'Bad Key': 'x' } },
    status: 400,
    code: 'validation',
  },
  {
    name: 'too many labels',
    method: 'POST',
    path: '/v1/sandboxes',
    json: { labels: tooManyLabels },
    status: 400,
    code: 'validation',
    says: /at most 32/,
  },
  {
    name: 'text/plain body',
    method: 'POST',
    path: '/v1/sandboxes',
    raw: '{}',
    headers: { 'content-type': 'text/plain' },
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'body over the size limit',
    method: 'POST',
    path: '/v1/sandboxes',
    json: { labels: { big: 'x'.repeat(70_000) } },
    status: 413,
    code: 'payload_too_large',
  },
  {
    name: 'chunked body over the size limit',
    method: 'POST',
    path: '/v1/sandboxes',
    raw: JSON.stringify({ labels: { big: 'x'.repeat(70_000) } }),
    headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
    status: 413,
    code: 'payload_too_large',
  },
  {
    name: 'malformed sandbox id',
    method: 'GET',
    path: '/v1/sandboxes/not-an-id',
    status: 400,
    code: 'validation',
    says: /sbx-/,
  },
  {
    name: 'bad percent-encoding in id',
    method: 'GET',
    path: '/v1/sandboxes/sbx-%ZZ',
    status: 400,
    code: 'validation',
  },
  {
    name: 'path traversal in id',
    method: 'GET',
    path: '/v1/sandboxes/..%2F..%2Fetc%2Fpasswd',
    status: 400,
    code: 'validation',
  },
  {
    name: 'unknown state filter',
    method: 'GET',
    path: '/v1/sandboxes?state=bogus',
    status: 400,
    code: 'validation',
    says: /state/,
  },
  {
    name: 'unknown query parameter',
    method: 'GET',
    path: '/v1/sandboxes?color=red',
    status: 400,
    code: 'validation',
    says: /color/,
  },
  {
    name: 'all is not a boolean',
    method: 'GET',
    path: '/v1/sandboxes?all=yes',
    status: 400,
    code: 'validation',
    says: /all/,
  },
  {
    name: 'repeated single-valued query',
    method: 'GET',
    path: '/v1/sandboxes?profile=profile.a&profile=profile.b',
    status: 400,
    code: 'validation',
    says: /2 times/,
  },
  {
    name: 'malformed sandbox filter on snapshots',
    method: 'GET',
    path: '/v1/snapshots?sandbox=sbx-1',
    status: 400,
    code: 'validation',
  },
  {
    name: 'query on a route without one',
    method: 'GET',
    path: `/v1/sandboxes/${SBX}?verbose=1`,
    status: 400,
    code: 'validation',
    says: /verbose/,
  },
  {
    name: 'DELETE with a body',
    method: 'DELETE',
    path: `/v1/sandboxes/${SBX}`,
    json: { force: true },
    status: 400,
    code: 'validation',
    says: /no request body/,
  },
  {
    name: 'extend-ttl without by',
    method: 'POST',
    path: `/v1/sandboxes/${SBX}/extend-ttl`,
    json: {},
    status: 400,
    code: 'validation',
    says: /by/,
  },
  {
    name: 'extend-ttl by zero',
    method: 'POST',
    path: `/v1/sandboxes/${SBX}/extend-ttl`,
    json: { by: '0s' },
    status: 400,
    code: 'validation',
  },
  {
    name: 'snapshot name with spaces',
    method: 'POST',
    path: `/v1/sandboxes/${SBX}/snapshot`,
    json: { name: 'my snap' },
    status: 400,
    code: 'validation',
    says: /name/,
  },
  {
    name: 'recreate with unknown field',
    method: 'POST',
    path: `/v1/sandboxes/${SBX}/recreate`,
    json: { profile: 'profile.saas-stub' },
    status: 400,
    code: 'validation',
  },
  {
    name: 'restore of a malformed snapshot id',
    method: 'POST',
    path: '/v1/snapshots/snapshot-1/restore',
    status: 400,
    code: 'validation',
    says: /snap-/,
  },
  {
    name: 'method not allowed',
    method: 'PUT',
    path: '/v1/sandboxes',
    json: {},
    status: 405,
    code: 'method_not_allowed',
  },
  {
    name: 'unknown route',
    method: 'GET',
    path: '/v2/sandboxes',
    status: 404,
    code: 'not_found',
    says: /no route/,
  },
  {
    name: 'no bearer token',
    method: 'GET',
    path: '/v1/sandboxes',
    anonymous: true,
    status: 401,
    code: 'unauthorized',
  },
  {
    name: 'wrong bearer token',
    method: 'GET',
    path: '/v1/sandboxes',
    token: 'x'.repeat(26),
    status: 401,
    code: 'unauthorized',
  },
  {
    name: 'token for a prefix of the real one',
    method: 'GET',
    path: '/v1/sandboxes',
    token: TOKEN.slice(0, -1),
    status: 401,
    code: 'unauthorized',
  },
  {
    name: 'browser cross-origin request',
    method: 'POST',
    path: '/v1/sandboxes',
    json: {},
    headers: { origin: 'https://evil.example' },
    status: 403,
    code: 'forbidden',
  },
];

describe('bad-input corpus: clear 4xx JSON bodies, nothing created', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ token: TOKEN });
  });
  afterAll(async () => {
    await api.stop();
  });

  it('has at least 20 cases', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(20);
  });

  it.each(corpus)('$name → $status $code', async (c) => {
    const opts: CallOptions = {
      ...(c.json !== undefined ? { json: c.json } : {}),
      ...(c.raw !== undefined ? { raw: c.raw } : {}),
      ...(c.headers ? { headers: c.headers } : {}),
      ...(c.anonymous ? {} : { token: c.token ?? TOKEN }),
    };
    const r = await api.call(c.method, c.path, opts);
    expect(r.status, r.text).toBe(c.status);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    expect(schemas.errors('Error', r.body)).toEqual([]);
    expect(r.body.error.code).toBe(c.code);
    expect(r.body.error.message.length).toBeGreaterThan(10);
    expect(r.body.error.retryable).toBe(false);
    if (c.says) expect(r.body.error.message).toMatch(c.says);
    if (c.status === 400 && r.body.error.code === 'validation' && r.body.error.issues)
      expect(r.body.error.issues.length).toBeGreaterThan(0);
    if (c.status === 401) expect(r.headers['www-authenticate']).toMatch(/^Bearer/);
    if (c.status === 405) expect(r.headers.allow).toBe('GET, POST');
    expect(r.text).not.toContain(TOKEN);
  });

  it('created no record and no backend object', async () => {
    const all = await api.call('GET', '/v1/sandboxes?all=true', { token: TOKEN });
    expect(all.status).toBe(200);
    expect(all.body.sandboxes).toEqual([]);
    expect(await api.backendObjects()).toEqual([]);
  });
});
