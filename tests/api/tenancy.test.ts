import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogRoots, loadCatalog } from '../../src/catalog/loader.ts';
import { routes } from '../../src/api/routes.ts';
import { loadTokens } from '../../src/api/tokens.ts';
import { describeRecord } from '../../src/cli/output.ts';
import { CredentialResolver } from '../../src/credentials/resolver.ts';
import { tempDir } from '../helpers/env.ts';
import { TOK, tokenEnv, writeTokensFile } from './callers.ts';
import { startTestApi, type TestApi } from './harness.ts';

/**
 * HTTP API tenancy (#19): each token of a tokens file is a caller of a scope; a caller sees only its scope's
 * sandboxes (another scope's answer 404, exactly as an unknown id), an admin token sees all, records carry the
 * caller, and path inputs are refused unless the server has an allowed root.
 */
const tmp = tempDir('sbx-tenancy-');
const credentials = new CredentialResolver();
const tokensFile = writeTokensFile(tmp.dir);
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
    // `sandboxer get` shows it.
    expect(describeRecord(await api.manager.get(aliceBox))).toMatch(
      /^caller +ci-alice \(scope team-a, over HTTP\)$/m,
    );
    expect(describeRecord(await api.manager.get(cliBox))).not.toMatch(/^caller/m);
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
