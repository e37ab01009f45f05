import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createCredentialResolver } from '../../src/credentials/index.ts';
import { CredentialResolver, missingCredentialsError } from '../../src/credentials/resolver.ts';
import { tempDir } from '../helpers/env.ts';

const SECRET = 'resolver-secret-3c8e21f0';
const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('CredentialResolver', () => {
  it('resolves env: and file: refs into memory-only secrets that never print', async () => {
    const file = join(tmp.dir, 'key');
    writeFileSync(file, `${SECRET}-file\n`);
    const r = new CredentialResolver();
    const seen: string[] = [];
    r.onResolved = (v) => seen.push(v);
    const { secrets, missing } = await r.resolve(
      [
        { name: 'a', secret_ref: 'env:SECRET_A', required: true },
        { name: 'b', secret_ref: `file:${file}`, required: true },
      ],
      { env: { SECRET_A: SECRET } },
    );
    expect(missing).toEqual([]);
    expect(secrets.get('a')).toBe(SECRET);
    expect(secrets.get('b')).toBe(`${SECRET}-file`);
    expect(seen).toEqual([SECRET, `${SECRET}-file`]);
    expect(JSON.stringify({ secrets })).not.toContain(SECRET);
    expect(inspect(secrets)).not.toContain(SECRET);
    expect(inspect(secrets)).toContain('a, b');
  });

  it('reports unresolvable required refs by name and ref, skips optional ones', async () => {
    const r = new CredentialResolver();
    const { secrets, missing } = await r.resolve(
      [
        { name: 'a', secret_ref: 'env:NOT_SET_ANYWHERE', required: true },
        { name: 'b', secret_ref: `file:${join(tmp.dir, 'nope')}`, required: true },
        { name: 'c', secret_ref: 'env:OPTIONAL_NOT_SET', required: false },
        { name: 'd', secret_ref: 'vault:secret/x#k', required: true },
      ],
      { env: {} },
    );
    expect(secrets.has('c')).toBe(false);
    expect(missing).toEqual([
      {
        name: 'a',
        secret_ref: 'env:NOT_SET_ANYWHERE',
        reason: 'environment variable NOT_SET_ANYWHERE is not set',
      },
      { name: 'b', secret_ref: `file:${join(tmp.dir, 'nope')}`, reason: 'cannot read the file (ENOENT)' },
      { name: 'd', secret_ref: 'vault:secret/x#k', reason: "unknown scheme 'vault' (known: env, file)" },
    ]);
    const err = missingCredentialsError('ext.e2b', missing);
    expect(err.code).toBe('credentials');
    expect(err.message).toContain('ext.e2b: required credentials not available: a (env:NOT_SET_ANYWHERE');
  });

  it('check() reports status per credential, fetching only what a precheck cannot decide', async () => {
    const file = join(tmp.dir, 'present');
    writeFileSync(file, SECRET);
    const r = createCredentialResolver({});
    const checks = await r.check(
      [
        { name: 'a', secret_ref: 'env:SET_ONE', required: true },
        { name: 'b', secret_ref: 'env:UNSET_ONE', required: false },
        { name: 'c', secret_ref: `file:${file}`, required: true },
        { name: 'd', secret_ref: 'vault:secret/x#k', required: true },
      ],
      { env: { SET_ONE: SECRET } },
    );
    expect(checks).toEqual([
      { name: 'a', secret_ref: 'env:SET_ONE', required: true, status: 'ok' },
      {
        name: 'b',
        secret_ref: 'env:UNSET_ONE',
        required: false,
        status: 'missing',
        reason: 'environment variable UNSET_ONE is not set',
      },
      { name: 'c', secret_ref: `file:${file}`, required: true, status: 'ok' },
      {
        name: 'd',
        secret_ref: 'vault:secret/x#k',
        required: true,
        status: 'missing',
        reason: 'VAULT_ADDR (or BAO_ADDR) is not set',
      },
    ]);
    expect(JSON.stringify(checks)).not.toContain(SECRET);
  });

  it('the production resolver masks only inside GitHub Actions', () => {
    expect(createCredentialResolver({}).onResolved).toBeUndefined();
    expect(createCredentialResolver({ GITHUB_ACTIONS: 'true' }).onResolved).toBeTypeOf('function');
  });
});
