import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTokens, parseTokensFile } from '../../src/api/tokens.ts';
import { CredentialResolver } from '../../src/credentials/resolver.ts';
import { cli, REPO_ROOT } from '../helpers/cli.ts';
import { tempDir } from '../helpers/env.ts';
import { call as callHttp } from '../helpers/http.ts';
import { startServe } from '../helpers/serve.ts';
import { sha256, TOK, tokenEnv, writeTokensFile } from './callers.ts';

/** The tokens file of `serve --tokens-file` (#19): validation naming file and field, and a real `serve` on it. */
const tmp = tempDir('sbx-tokens-');
const credentials = new CredentialResolver();
const tokensFile = writeTokensFile(tmp.dir);
afterAll(() => tmp.cleanup());

describe('the tokens file', () => {
  it('the example of docs/http-api.md is valid', () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs', 'http-api.md'), 'utf8');
    const example = /```yaml\n(# \/etc\/sandboxer\/tokens\.yaml[\s\S]*?)```/.exec(doc)?.[1];
    expect(example).toBeDefined();
    const file = join(tmp.dir, 'doc-example.yaml');
    writeFileSync(file, example!);
    const { tokens } = parseTokensFile(file);
    expect(tokens.map((t) => [t.caller, t.scope, t.admin])).toEqual([
      ['ci-frontend', 'team-frontend', false],
      ['agent-frontend', 'team-frontend', false],
      ['ci-payments', 'team-payments', false],
      ['ops', 'ops', true],
    ]);
  });

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
