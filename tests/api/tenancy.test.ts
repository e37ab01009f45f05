import { createHash } from 'node:crypto';
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogRoots, loadCatalog } from '../../src/catalog/loader.ts';
import { routes } from '../../src/api/routes.ts';
import { loadTokens } from '../../src/api/tokens.ts';
import { CredentialResolver } from '../../src/credentials/resolver.ts';
import { cli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/env.ts';
import { startServe } from '../helpers/serve.ts';
import { call as callHttp } from '../helpers/http.ts';
import { startTestApi, type TestApi } from './harness.ts';

/**
 * HTTP API tenancy (#19): each token of a tokens file is a caller of a scope; a caller sees only its scope's
 * sandboxes (another scope's answer 404, exactly as an unknown id), an admin token sees all, records carry the
 * caller, and path inputs are refused unless the server has an allowed root.
 */
const TOK = {
  alice: 'alice-0123456789abcdef0123456789',
  carol: 'carol-0123456789abcdef0123456789',
  bob: 'bob-0123456789abcdef0123456789ab',
  ops: 'ops-0123456789abcdef0123456789ab',
};
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

const tmp = tempDir('sbx-tenancy-');
const credentials = new CredentialResolver();
const tokensFile = join(tmp.dir, 'tokens.yaml');
const carolFile = join(tmp.dir, 'carol.token');
const tokenEnv = { TOK_ALICE: TOK.alice };

// A stub profile with a `path` input, like the compose profiles' `repo`.
const catalogRoot = join(tmp.dir, 'catalog');
mkdirSync(join(catalogRoot, 'profiles'), { recursive: true });
writeFileSync(
  join(catalogRoot, 'profiles', 'profile.stub-repo.yaml'),
  [
    'id: profile.stub-repo',
    'version: 1.0.0',
    'extension: ext.saas-stub',
    'inputs: { repo: { required: true, kind: path } }',
    'ttl: { default: 1h, max: 2h }',
    '',
  ].join('\n'),
);
const catalog = loadCatalog([...catalogRoots({}), catalogRoot], {});

writeFileSync(carolFile, `${TOK.carol}\n`, { mode: 0o600 });
writeFileSync(
  tokensFile,
  [
    'tokens:',
    '  - { caller: ci-alice, scope: team-a, token_ref: "env:TOK_ALICE" }',
    `  - { caller: ci-carol, scope: team-a, token_ref: "file:${carolFile}" }`,
    `  - { caller: ci-bob, scope: team-b, token_sha256: ${sha256(TOK.bob)} }`,
    `  - { caller: ops, scope: ops, admin: true, token_sha256: ${sha256(TOK.ops)} }`,
    '',
  ].join('\n'),
);

afterAll(() => tmp.cleanup());

describe('callers and scopes', () => {
  let api: TestApi;
  let aliceBox: string;
  let bobBox: string;
  let cliBox: string;
  beforeAll(async () => {
    api = await startTestApi({
      tokens: await loadTokens(tokensFile, credentials, tokenEnv),
      pollToken: TOK.ops,
      catalog,
    });
    const a = await api.call('POST', '/v1/sandboxes', {
      token: TOK.alice,
      json: { profile: 'profile.saas-stub' },
    });
    expect(a.status, a.text).toBe(202);
    aliceBox = a.body.id;
    const b = await api.call('POST', '/v1/sandboxes', {
      token: TOK.bob,
      json: { profile: 'profile.saas-stub' },
    });
    expect(b.status, b.text).toBe(202);
    bobBox = b.body.id;
    // A CLI-made record: no caller.
    cliBox = (await api.manager.create({ profileId: 'profile.saas-stub' })).id;
    await api.waitFor(aliceBox, ['ready']);
    await api.waitFor(bobBox, ['ready']);
  });
  afterAll(async () => {
    await api.stop();
  });

  it('records the caller (id and scope) on what it creates, in the store too', async () => {
    expect((await api.manager.get(aliceBox)).caller).toEqual({ id: 'ci-alice', scope: 'team-a' });
    expect((await api.manager.get(bobBox)).caller).toEqual({ id: 'ci-bob', scope: 'team-b' });
    expect((await api.manager.get(cliBox)).caller).toBeUndefined();
  });

  it("answers another scope's sandbox exactly as an unknown one (404), on every per-sandbox route", async () => {
    const before = await api.manager.get(aliceBox);
    const unknown = await api.call('GET', '/v1/sandboxes/sbx-000000000000', { token: TOK.bob });
    const hidden = await api.call('GET', `/v1/sandboxes/${aliceBox}`, { token: TOK.bob });
    expect(hidden.status).toBe(404);
    expect(hidden.text).toBe(unknown.text.replace('sbx-000000000000', aliceBox));
    const tar = { 'content-type': 'application/x-tar' };
    const calls: [string, string, Parameters<TestApi['call']>[2]][] = [
      ['GET', '', {}],
      ['DELETE', '', {}],
      ['POST', '/recreate', { json: {} }],
      ['POST', '/snapshot', { json: {} }],
      ['POST', '/extend-ttl', { json: { by: '10m' } }],
      ['GET', '/endpoints', {}],
      ['POST', '/exec', { json: { argv: ['true'] } }],
      ['GET', '/logs', {}],
      ['GET', '/files?path=/tmp', {}],
      ['PUT', '/files?path=/tmp', { raw: Buffer.alloc(1024), headers: tar }],
    ];
    const owned = routes.filter((r) => r.owned === 'sandbox');
    expect(calls).toHaveLength(owned.length);
    for (const [method, suffix, opts] of calls) {
      for (const id of [aliceBox, cliBox]) {
        const r = await api.call(method, `/v1/sandboxes/${id}${suffix}`, { ...opts, token: TOK.bob });
        expect(r.status, `${method} ${suffix} of ${id}: ${r.text}`).toBe(404);
        expect(r.body.error.code).toBe('not_found');
      }
    }
    // Nothing happened to them.
    const after = await api.manager.get(aliceBox);
    expect(after.state).toBe('ready');
    expect(after.expires_at).toBe(before.expires_at);
    expect((await api.manager.listSnapshots()).filter((s) => s.sandbox_id === aliceBox)).toEqual([]);
  });

  it('every route with an {id} in its path checks it is the caller’s', () => {
    for (const r of routes.filter((x) => x.path.includes('{id}')))
      expect(r.owned, `${r.method} ${r.path}`).toBe(
        r.path.startsWith('/v1/snapshots') ? 'snapshot' : 'sandbox',
      );
  });

  it('callers of one scope share it; the list shows only own-scope records, an admin sees all', async () => {
    const ids = async (token: string) =>
      ((await api.call('GET', '/v1/sandboxes?all=true', { token })).body.sandboxes as { id: string }[]).map(
        (r) => r.id,
      );
    expect(await ids(TOK.alice)).toEqual([aliceBox]);
    expect(await ids(TOK.carol)).toEqual([aliceBox]);
    expect(await ids(TOK.bob)).toEqual([bobBox]);
    expect((await ids(TOK.ops)).sort()).toEqual([aliceBox, bobBox, cliBox].sort());
    expect((await api.call('GET', `/v1/sandboxes/${aliceBox}`, { token: TOK.carol })).status).toBe(200);
    expect((await api.call('GET', `/v1/sandboxes/${cliBox}`, { token: TOK.ops })).status).toBe(200);
    const extended = await api.call('POST', `/v1/sandboxes/${aliceBox}/extend-ttl`, {
      token: TOK.carol,
      json: { by: '5m' },
    });
    expect(extended.status, extended.text).toBe(200);
  });

  it("snapshots follow their sandbox's scope: hidden, unlisted and not restorable by another scope", async () => {
    const snap = await api.call('POST', `/v1/sandboxes/${aliceBox}/snapshot`, { token: TOK.alice, json: {} });
    expect(snap.status, snap.text).toBe(201);
    const id = snap.body.id as string;
    expect((await api.call('GET', `/v1/snapshots/${id}`, { token: TOK.bob })).status).toBe(404);
    expect((await api.call('POST', `/v1/snapshots/${id}/restore`, { token: TOK.bob, json: {} })).status).toBe(
      404,
    );
    const listed = async (token: string) =>
      ((await api.call('GET', '/v1/snapshots', { token })).body.snapshots as { id: string }[]).map(
        (s) => s.id,
      );
    expect(await listed(TOK.bob)).toEqual([]);
    expect(await listed(TOK.carol)).toEqual([id]);
    expect(await listed(TOK.ops)).toEqual([id]);
    const restored = await api.call('POST', `/v1/snapshots/${id}/restore`, { token: TOK.carol, json: {} });
    expect(restored.status, restored.text).toBe(202);
    expect(restored.body.caller).toEqual({ id: 'ci-carol', scope: 'team-a' });
    await api.waitFor(restored.body.id, ['ready']);
    expect((await api.call('DELETE', `/v1/sandboxes/${restored.body.id}`, { token: TOK.alice })).status).toBe(
      202,
    );
  });

  it("a caller cannot destroy another scope's sandbox; an admin can destroy any", async () => {
    expect((await api.call('DELETE', `/v1/sandboxes/${bobBox}`, { token: TOK.alice })).status).toBe(404);
    expect((await api.manager.get(bobBox)).state).toBe('ready');
    const d = await api.call('DELETE', `/v1/sandboxes/${bobBox}`, { token: TOK.ops });
    expect(d.status, d.text).toBe(202);
    expect((await api.waitFor(bobBox, ['destroyed'])).state).toBe('destroyed');
    const c = await api.call('DELETE', `/v1/sandboxes/${cliBox}`, { token: TOK.ops });
    expect(c.status, c.text).toBe(202);
    await api.waitFor(cliBox, ['destroyed']);
  });
});

describe('the single --token-ref token', () => {
  it("is the admin caller 'default': sees CLI records, and its creates record it", async () => {
    const token = 'single-0123456789abcdef01234567';
    const api = await startTestApi({ token });
    try {
      const cliBox = (await api.manager.create({ profileId: 'profile.saas-stub' })).id;
      expect((await api.call('GET', `/v1/sandboxes/${cliBox}`, { token })).status).toBe(200);
      const r = await api.call('POST', '/v1/sandboxes', { token, json: { profile: 'profile.saas-stub' } });
      expect(r.body.caller).toEqual({ id: 'default', scope: 'default' });
      await api.waitFor(r.body.id, ['ready']);
    } finally {
      await api.stop();
    }
  });
});

describe('path inputs over HTTP', () => {
  const root = join(tmp.dir, 'allowed');
  const outside = join(tmp.dir, 'outside');
  mkdirSync(join(root, 'proj'), { recursive: true });
  mkdirSync(outside, { recursive: true });
  symlinkSync(outside, join(root, 'escape'));
  const create = (api: TestApi, repo: string) =>
    api.call('POST', '/v1/sandboxes', {
      token: TOK.alice,
      json: { profile: 'profile.stub-repo', inputs: { repo } },
    });

  it('are refused without --allow-root, naming the input and what to do; nothing is created', async () => {
    const api = await startTestApi({ tokens: await loadTokens(tokensFile, credentials, tokenEnv), catalog });
    try {
      const r = await create(api, join(root, 'proj'));
      expect(r.status, r.text).toBe(400);
      expect(r.body.error.message).toMatch(/^input 'repo' names a directory on the server/);
      expect(r.body.error.hint).toContain('--allow-root');
      expect(await api.manager.list()).toEqual([]);
    } finally {
      await api.stop();
    }
  });

  it('are taken inside --allow-root only: relative or absolute inside, not outside, .. or a symlink out', async () => {
    const api = await startTestApi({
      tokens: await loadTokens(tokensFile, credentials, tokenEnv),
      catalog,
      allowRoot: root,
      pollToken: TOK.alice,
    });
    try {
      for (const repo of ['proj', join(root, 'proj')]) {
        const r = await create(api, repo);
        expect(r.status, r.text).toBe(202);
        expect(r.body.inputs.repo).toBe(realpathSync(join(root, 'proj')));
        await api.waitFor(r.body.id, ['ready']);
      }
      const refused: [string, RegExp][] = [
        [outside, /outside the server's --allow-root/],
        ['../outside', /'\.\.' is not allowed/],
        [`${root}/proj/../../outside`, /'\.\.' is not allowed/],
        ['escape', /symbolic link that leads outside/],
        ['missing', /does not exist/],
      ];
      for (const [repo, message] of refused) {
        const r = await create(api, repo);
        expect(r.status, `${repo}: ${r.text}`).toBe(400);
        expect(r.body.error.message, repo).toMatch(message);
        expect(r.body.error.message, repo).toContain("input 'repo'");
      }
      expect(await api.manager.list({ state: ['requested', 'provisioning', 'ready'] })).toHaveLength(2);
    } finally {
      await api.stop();
    }
  });
});

describe('the tokens file', () => {
  const bad = (name: string, lines: string[]) => {
    const file = join(tmp.dir, `${name}.yaml`);
    writeFileSync(file, [...lines, ''].join('\n'));
    return file;
  };
  const cases: [string, string[], RegExp][] = [
    [
      'no-scope',
      ['tokens:', '  - { caller: a, token_sha256: ' + sha256('x') + ' }'],
      /:2:\d+: tokens\[0\]\.scope: required/,
    ],
    [
      'admin-string',
      ['tokens:', `  - { caller: a, scope: s, admin: "yes", token_sha256: ${sha256('x')} }`],
      /tokens\[0\]\.admin: /,
    ],
    [
      'no-token',
      ['tokens:', '  - { caller: a, scope: s }'],
      /tokens\[0\]: give exactly one of token_ref and token_sha256/,
    ],
    [
      'unknown-field',
      ['tokens:', `  - { caller: a, scope: s, token: abc, token_sha256: ${sha256('x')} }`],
      /tokens\[0\]: unknown field 'token'/,
    ],
    [
      'twice',
      [
        'tokens:',
        `  - { caller: a, scope: s, token_sha256: ${sha256('x')} }`,
        `  - { caller: a, scope: t, token_sha256: ${sha256('y')} }`,
      ],
      /tokens\[1\]\.caller: caller 'a' is also tokens\[0\]/,
    ],
    [
      'same-token',
      [
        'tokens:',
        `  - { caller: a, scope: s, token_sha256: ${sha256(TOK.alice)} }`,
        '  - { caller: b, scope: t, token_ref: "env:TOK_ALICE" }',
      ],
      /tokens\[1\]: the same token as tokens\[0\]/,
    ],
    [
      'bad-scope',
      ['tokens:', `  - { caller: a, scope: "a b", token_sha256: ${sha256('x')} }`],
      /tokens\[0\]\.scope: a scope must/,
    ],
    ['not-yaml', ['tokens: [ {'], /invalid YAML/],
  ];
  it.each(cases)('%s: refused, naming the file and the field', async (name, lines, message) => {
    const file = bad(name, lines);
    const err = (await loadTokens(file, credentials, tokenEnv).catch((e: Error) => e)) as Error & {
      code: string;
    };
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe('usage');
    expect(err.message.startsWith(file)).toBe(true);
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain(TOK.alice);
  });

  it('a token_ref that does not resolve or is short names the entry, never the value', async () => {
    const file = bad('short', ['tokens:', '  - { caller: a, scope: s, token_ref: "env:TOK_SHORT" }']);
    const short = 'shortsecret';
    const err = (await loadTokens(file, credentials, { TOK_SHORT: short }).catch((e: Error) => e)) as Error;
    expect(err.message).toContain(`${file}: tokens[0].token_ref:`);
    expect(err.message).not.toContain(short);
    const unset = (await loadTokens(file, credentials, {}).catch((e: Error) => e)) as Error;
    expect(unset.message).toMatch(/tokens\[0\]\.token_ref: .*TOK_SHORT is not set/);
  });
});

describe('sandboxer serve (a real process)', () => {
  it('stops before listening on a bad tokens file, naming the file and the field', async () => {
    const file = join(tmp.dir, 'serve-bad.yaml');
    writeFileSync(
      file,
      ['tokens:', `  - { caller: a, scope: s, admin: 1, token_sha256: ${sha256('x')} }`, ''].join('\n'),
    );
    const r = await cli(['serve', '--port', '0', '--tokens-file', file], {
      SANDBOXER_STATE_DIR: join(tmp.dir, 'serve-bad-state'),
    });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`${file}:2:`);
    expect(r.stderr).toContain('tokens[0].admin');
    expect(r.stdout).not.toContain('listening');
  });

  it('--help lists --tokens-file and --allow-root', async () => {
    const r = await cli(['serve', '--help'], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--tokens-file .*caller id, scope and optionally admin/);
    expect(r.stdout).toMatch(/--allow-root .*only inside this directory/);
  });

  it('two scopes over a real serve: 404 for the other scope, the admin sees both, the list is filtered', async () => {
    const state = join(tmp.dir, 'serve-state');
    const serve = await startServe(['--tokens-file', tokensFile], {
      ...tokenEnv,
      SANDBOXER_STATE_DIR: state,
    });
    const call = (method: string, path: string, token: string, json?: unknown) =>
      callHttp(serve.url, method, path, { token, ...(json === undefined ? {} : { json }) });
    try {
      const a = await call('POST', '/v1/sandboxes', TOK.alice, { profile: 'profile.saas-stub' });
      const b = await call('POST', '/v1/sandboxes', TOK.bob, { profile: 'profile.saas-stub' });
      expect([a.status, b.status]).toEqual([202, 202]);
      expect(a.body.caller).toEqual({ id: 'ci-alice', scope: 'team-a' });
      expect((await call('GET', `/v1/sandboxes/${a.body.id}`, TOK.bob)).status).toBe(404);
      expect((await call('DELETE', `/v1/sandboxes/${b.body.id}`, TOK.alice)).status).toBe(404);
      const list = async (token: string) =>
        ((await call('GET', '/v1/sandboxes?all=true', token)).body.sandboxes as { id: string }[]).map(
          (r) => r.id,
        );
      expect(await list(TOK.alice)).toEqual([a.body.id]);
      expect(await list(TOK.bob)).toEqual([b.body.id]);
      expect((await list(TOK.ops)).sort()).toEqual([a.body.id, b.body.id].sort());
      for (const id of [a.body.id, b.body.id]) {
        let state = '';
        for (let i = 0; i < 400 && state !== 'ready'; i++) {
          if (i) await new Promise((r) => setTimeout(r, 50));
          state = (await call('GET', `/v1/sandboxes/${id}`, TOK.ops)).body.state;
        }
        expect((await call('DELETE', `/v1/sandboxes/${id}`, TOK.ops)).status).toBe(202);
      }
    } finally {
      serve.child.kill('SIGTERM');
      await serve.exited;
    }
  });
});
