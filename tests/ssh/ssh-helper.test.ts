import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { list as tarList } from 'tar';
import type { Logger } from '../../src/core/logger.ts';
import { emptySecrets } from '../../src/credentials/resolver.ts';
import { SshSession, withSession } from '../../src/extensions/ssh/connection.ts';
import { checkKnownHosts, fingerprintSha256 } from '../../src/extensions/ssh/host-key.ts';
import { sh } from '../../src/extensions/ssh/quote.ts';
import { parseHostSpec, resolveTarget, type SshTarget } from '../../src/extensions/ssh/target.ts';
import { compileExcludes, tarStream } from '../../src/extensions/ssh/upload.ts';
import { tempDir } from '../helpers/env.ts';
import { skipReason, testHost } from './host.ts';

const tmp = tempDir('sbx-ssh-helper-');
afterAll(() => tmp.cleanup());

describe('known_hosts', () => {
  const key = randomBytes(51);
  const other = randomBytes(51);
  const b64 = key.toString('base64');

  it('matches plain, port-qualified, pattern and hashed entries; flags mismatches and revocations', () => {
    expect(checkKnownHosts(`example.com ssh-ed25519 ${b64}`, 'example.com', 22, key)).toBe('match');
    expect(checkKnownHosts(`[127.0.0.1]:2222 ssh-ed25519 ${b64}`, '127.0.0.1', 2222, key)).toBe('match');
    expect(checkKnownHosts(`127.0.0.1 ssh-ed25519 ${b64}`, '127.0.0.1', 2222, key)).toBe('unknown');
    expect(checkKnownHosts(`*.corp,!bad.corp ssh-ed25519 ${b64}`, 'a.corp', 22, key)).toBe('match');
    expect(checkKnownHosts(`*.corp,!bad.corp ssh-ed25519 ${b64}`, 'bad.corp', 22, key)).toBe('unknown');
    const salt = randomBytes(20);
    const hash = createHmac('sha1', salt).update('[h.example]:2200').digest('base64');
    const hashed = `|1|${salt.toString('base64')}|${hash} ssh-ed25519 ${b64}`;
    expect(checkKnownHosts(hashed, 'h.example', 2200, key)).toBe('match');
    expect(checkKnownHosts(`example.com ssh-ed25519 ${b64}`, 'example.com', 22, other)).toBe('mismatch');
    const revoked = `@revoked example.com ssh-ed25519 ${b64}\nexample.com ssh-ed25519 ${b64}`;
    expect(checkKnownHosts(revoked, 'example.com', 22, key)).toBe('revoked');
    expect(checkKnownHosts(`@cert-authority *.com ssh-ed25519 ${b64}`, 'example.com', 22, key)).toBe(
      'unknown',
    );
  });

  it('prints fingerprints the way ssh-keygen does (no padding)', () => {
    expect(fingerprintSha256(key)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});

describe('targets', () => {
  it('parses [user@]host[:port] and refuses anything else', () => {
    expect(parseHostSpec('sandboxer@10.0.0.5:2200')).toEqual({
      user: 'sandboxer',
      host: '10.0.0.5',
      port: 2200,
    });
    expect(parseHostSpec('[::1]:22')).toEqual({ host: '::1', port: 22 });
    expect(parseHostSpec('build-vm')).toEqual({ host: 'build-vm' });
    for (const bad of ['a b', 'h;rm', '$(x)', 'h:99999', 'u@h@x', '']) {
      expect(() => parseHostSpec(bad)).toThrow();
    }
  });

  it('SANDBOXER_HOST overrides the placement; the key stays a reference', () => {
    const t = resolveTarget({
      placement: { host: 'coulombcore', user: 'sandboxer', port: 22, key_ref: 'env:K', preferred: [] },
      config: {},
      env: { SANDBOXER_HOST: 'root@127.0.0.1:2222', K: 'PRIVATE' },
    });
    expect(t).toMatchObject({ host: '127.0.0.1', port: 2222, user: 'root', key_ref: 'env:K' });
    expect(JSON.stringify(t)).not.toContain('PRIVATE');
    expect(() => resolveTarget({ placement: undefined, config: {}, env: {} })).toThrow(/placement host/);
  });
});

describe('excludes and the tar stream', () => {
  it('follows .gitignore rules: anchoring, directories, negation, **', () => {
    const ex = compileExcludes(['node_modules/', '/build', '*.log', '!keep.log', 'docs/**/*.tmp']);
    expect(ex('node_modules', true)).toBe(true);
    expect(ex('a/node_modules', true)).toBe(true);
    expect(ex('node_modules', false)).toBe(false);
    expect(ex('build', true)).toBe(true);
    expect(ex('src/build', true)).toBe(false);
    expect(ex('x/y.log', false)).toBe(true);
    expect(ex('keep.log', false)).toBe(false);
    expect(ex('docs/a/b/c.tmp', false)).toBe(true);
    expect(ex('src/c.tmp', false)).toBe(false);
  });

  it('streams the repo without .git and ignored paths', async () => {
    const repo = join(tmp.dir, 'repo');
    for (const d of ['.git', 'src', 'node_modules/x', 'out']) mkdirSync(join(repo, d), { recursive: true });
    writeFileSync(join(repo, '.gitignore'), 'node_modules/\n*.log\n');
    writeFileSync(join(repo, '.sandboxerignore'), 'out/\n');
    for (const f of ['.git/HEAD', 'src/a.ts', 'node_modules/x/i.js', 'out/o', 'debug.log', 'README.md']) {
      writeFileSync(join(repo, f), f);
    }
    const names: string[] = [];
    const parser = tarList({ onReadEntry: (e) => names.push(e.path.replace(/^\.\//, '')) });
    const stream = await tarStream(
      repo,
      readFileSync(join(repo, '.gitignore'), 'utf8').split('\n').concat(['.git/', 'out/']),
    );
    await new Promise<void>((resolve, reject) => {
      Readable.from(stream).pipe(parser).on('finish', resolve).on('error', reject);
    });
    expect(names.filter((n) => !n.endsWith('/') && n !== '').sort()).toEqual([
      '.gitignore',
      '.sandboxerignore',
      'README.md',
      'src/a.ts',
    ]);
  });
});

const reason = skipReason();
const real = reason ? describe.skip : describe;

real(`host key verification against the real sshd${reason ? ` (skipped: ${reason})` : ''}`, () => {
  const warnings: string[] = [];
  const log: Logger = {
    debug() {},
    info() {},
    warn: (m) => warnings.push(m),
    error() {},
    group: (_t, fn) => fn(),
  };
  const open = (target: Partial<SshTarget>) => {
    const h = testHost();
    return SshSession.open({
      extId: 'ext.test',
      target: {
        host: '127.0.0.1',
        port: h.port,
        user: 'root',
        insecure_accept_any_host_key: false,
        ...target,
      },
      secrets: emptySecrets,
      env: { K: h.env.SANDBOXER_SSH_KEY },
      log,
      signal: AbortSignal.timeout(30_000),
    });
  };

  it('connects when known_hosts has the key, and when the pinned fingerprint matches', async () => {
    const h = testHost();
    const a = await open({ known_hosts: h.knownHosts, key_ref: 'env:K' });
    expect(a.hostKeySha256).toBe(h.hostKeySha256);
    expect((await a.exec(sh`printf '%s' ${'a b'}`)).stdout).toBe('a b');
    a.close();
    const b = await open({ host_key_sha256: h.hostKeySha256, key_ref: 'env:K' });
    b.close();
  });

  it('refuses an unknown host, a wrong pin and a wrong key, without retrying', async () => {
    const h = testHost();
    const empty = join(tmp.dir, 'empty_known_hosts');
    writeFileSync(empty, '');
    await expect(open({ known_hosts: empty, key_ref: 'env:K' })).rejects.toMatchObject({
      retryable: false,
      message: expect.stringMatching(/is not in/),
    });
    await expect(
      open({ host_key_sha256: `SHA256:${'A'.repeat(43)}`, key_ref: 'env:K' }),
    ).rejects.toMatchObject({ retryable: false, message: expect.stringMatching(/not the pinned/) });
    const wrong = join(tmp.dir, 'wrong_known_hosts');
    writeFileSync(wrong, `[127.0.0.1]:${h.port} ssh-ed25519 ${randomBytes(51).toString('base64')}\n`);
    await expect(open({ known_hosts: wrong, key_ref: 'env:K' })).rejects.toMatchObject({
      message: expect.stringMatching(/does not match/),
    });
  });

  it('the explicit opt-out connects and warns loudly', async () => {
    warnings.length = 0;
    const s = await open({ insecure_accept_any_host_key: true, key_ref: 'env:K' });
    s.close();
    expect(warnings.join('\n')).toMatch(/INSECURE: host key verification is DISABLED/);
  });

  it('reports an unreachable host as retryable and a refused key as not', async () => {
    const h = testHost();
    await expect(open({ port: 1, known_hosts: h.knownHosts, key_ref: 'env:K' })).rejects.toMatchObject({
      retryable: true,
    });
    const other = join(tmp.dir, 'other_key');
    writeFileSync(other, readFileSync(h.keyFile, 'utf8'));
    await expect(
      withSession(
        {
          extId: 'ext.test',
          target: {
            host: '127.0.0.1',
            port: h.port,
            user: 'nobody-here',
            known_hosts: h.knownHosts,
            key_ref: `file:${other}`,
            insecure_accept_any_host_key: false,
          },
          secrets: emptySecrets,
          env: {},
          log,
          signal: AbortSignal.timeout(30_000),
        },
        async () => undefined,
      ),
    ).rejects.toMatchObject({ retryable: false, message: expect.stringMatching(/authentication/) });
  });
});

describe('a key that is not a key', () => {
  it('fails as a non-retryable backend error that does not quote the secret', async () => {
    const secret = 'not-a-private-key-but-a-secret-value-1234';
    const err = await SshSession.open({
      extId: 'ext.test',
      target: {
        host: '127.0.0.1',
        port: 1,
        user: 'root',
        key_ref: 'env:K',
        insecure_accept_any_host_key: false,
      },
      secrets: emptySecrets,
      env: { K: secret },
      log: { debug() {}, info() {}, warn() {}, error() {}, group: (_t, fn) => fn() },
      signal: AbortSignal.timeout(10_000),
    }).catch((e: unknown) => e as Error & { retryable: boolean });
    expect(err).toMatchObject({ retryable: false, message: expect.stringMatching(/SSH key cannot be used/) });
    expect(JSON.stringify({ m: (err as Error).message, s: (err as Error).stack })).not.toContain(secret);
  });
});
