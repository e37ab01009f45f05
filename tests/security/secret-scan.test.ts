import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/commands/index.ts';
import { cli, type CliResult } from '../helpers/cli.ts';
import { tempDir } from '../helpers/env.ts';
import { startServe } from '../helpers/serve.ts';
import { call as callHttp } from '../helpers/http.ts';
import { startKvServer, type KvServer } from '../credentials/kv-server.ts';

/**
 * A canary secret reachable through every secret_ref scheme (env:, file:, vault:, and a multi-line SSH key)
 * goes through every lifecycle verb of the real CLI (child processes, GitHub Actions mode on). Afterwards every
 * byte written under the temp root (state, stub cloud, outbox, HOME, TMPDIR), every byte sent to State Hub and
 * fin-hub, and all stdout/stderr are scanned for it, raw and base64-encoded. The only place a value may appear
 * is the runner's own `::add-mask::` command, which registers it for masking.
 */
const BASE = `cnry${randomBytes(12).toString('hex')}`;
const SECRETS = {
  env: `${BASE}-env`,
  file: `${BASE}-file`,
  vault: `${BASE}-vault`,
  key: `-----BEGIN OPENSSH PRIVATE KEY-----\n${BASE}-keyline1\n${BASE}-keyline2\n-----END OPENSSH PRIVATE KEY-----`,
};

/** Base64 (and base64url) of BASE at each of the three byte alignments it can have inside a longer value. */
function encodedForms(s: string): string[] {
  const out = new Set<string>();
  for (let k = 0; k < 3; k++) {
    const b64 = Buffer.concat([Buffer.alloc(k, 0x20), Buffer.from(s)]).toString('base64');
    const core = b64.slice(k === 0 ? 0 : 4, -4);
    out.add(core);
    out.add(core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return [...out];
}
const NEEDLES = [BASE, ...encodedForms(BASE), Buffer.from(BASE).toString('hex')];

/** Where `text` holds the canary, raw or encoded (one line per find). */
const leaksIn = (where: string, text: string): string[] =>
  NEEDLES.filter((n) => text.includes(n)).map(
    (n) => `${where} contains ${n === BASE ? 'the canary' : `an encoding of it (${n})`}`,
  );

const tmp = tempDir('sbx-secret-scan-');
const root = tmp.dir;
const stateDir = join(root, 'state');
const catalogRoot = join(root, 'catalog');
const secretFile = join(root, 'secrets', 'file-token');
const outputs: { args: string[]; result: CliResult }[] = [];
const sent: string[] = [];
let kv: KvServer;
let collector: ReturnType<typeof createServer>;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  mkdirSync(join(root, 'secrets'), { recursive: true });
  writeFileSync(secretFile, `${SECRETS.file}\n`, { mode: 0o600 });
  mkdirSync(join(catalogRoot, 'extensions'), { recursive: true });
  mkdirSync(join(catalogRoot, 'profiles'), { recursive: true });
  // The stub, redeclared in an extra catalog root with credentials over every scheme.
  const stub = readFileSync(new URL('../../extensions/ext.saas-stub.yaml', import.meta.url), 'utf8');
  writeFileSync(
    join(catalogRoot, 'extensions', 'ext.saas-stub.yaml'),
    [
      stub.trimEnd(),
      'credentials:',
      '  - { name: api_key, secret_ref: "env:SCAN_API_KEY" }',
      `  - { name: file_token, secret_ref: "file:${secretFile}" }`,
      '  - { name: vault_token, secret_ref: "vault:secret/sandboxer/scan#token" }',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(catalogRoot, 'profiles', 'profile.scan.yaml'),
    [
      'id: profile.scan',
      'version: 1.0.0',
      'route: { strategy: lowest-cost, candidates: [ext.saas-stub] }',
      'placement: { key_ref: "env:SCAN_SSH_KEY" }',
      'ttl: { default: 30m, max: 2h }',
      '',
    ].join('\n'),
  );
  kv = await startKvServer({
    secrets: { 'secret/sandboxer/scan': { token: SECRETS.vault } },
    token: 'scan-vault-token',
  });
  collector = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString('utf8')));
    req.on('end', () => {
      sent.push(`${req.method} ${req.url} ${JSON.stringify(req.headers)} ${body}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
  const hub = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  mkdirSync(join(root, 'home'), { recursive: true });
  mkdirSync(join(root, 'tmp'), { recursive: true });
  env = {
    SANDBOXER_STATE_DIR: stateDir,
    SANDBOXER_CATALOG_PATH: catalogRoot,
    HOME: join(root, 'home'),
    TMPDIR: join(root, 'tmp'),
    GITHUB_ACTIONS: 'true',
    SCAN_API_KEY: SECRETS.env,
    SCAN_SSH_KEY: SECRETS.key,
    VAULT_ADDR: kv.url,
    VAULT_TOKEN: 'scan-vault-token',
    SANDBOXER_FIN_HUB_URL: `${hub}/usage`,
    SANDBOXER_STATE_HUB_URL: `${hub}/events`,
    SANDBOXER_DEBUG: '1',
  };
});

afterAll(async () => {
  await kv?.close();
  collector?.closeAllConnections();
  await new Promise<void>((r) => (collector ? collector.close(() => r()) : r()));
  tmp.cleanup();
});

const MASK_PREFIX = '::add-mask::';
const withoutMasks = (s: string) =>
  s
    .split('\n')
    .filter((l) => !l.startsWith(MASK_PREFIX))
    .join('\n');

// At most two CLI processes at a time: the machine is small and shared.
let running = 0;
const waiting: (() => void)[] = [];
async function run(args: string[], extra: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  while (running >= 2) await new Promise<void>((r) => waiting.push(r));
  running++;
  try {
    const result = await cli(args, { ...env, ...extra });
    outputs.push({ args, result });
    return result;
  } finally {
    running--;
    waiting.shift()?.();
  }
}

async function runJson<T>(args: string[], extra: NodeJS.ProcessEnv = {}): Promise<T> {
  const r = await run([...args, '--json', '--verbose'], extra);
  try {
    return JSON.parse(r.stdout) as T; // stdout is pure JSON: masks go to stderr
  } catch {
    throw new Error(`${args.join(' ')}: not JSON (exit ${r.code})\n${r.stdout}\n${r.stderr}`);
  }
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) out.push(...walk(p));
    else if (st.isFile()) out.push(p);
  }
  return out;
}

// Verbs that serve forever are not lifecycle verbs; everything else in the command table is run below.
const NOT_RUN = new Set(['serve']);

describe('secrets never leave memory', () => {
  it(
    'runs every lifecycle verb with the canary resolved, then finds it nowhere',
    { timeout: 600_000 },
    async () => {
      const covered = new Set<string>();
      const verb = async <T>(name: string, args: string[], extra: NodeJS.ProcessEnv = {}) => {
        covered.add(name);
        return runJson<T>([...name.split(' '), ...args], extra);
      };
      type Rec = { id: string; state: string };

      // Independent verbs run in groups (two processes at a time); order matters only between groups.
      const [explained, , , , failed, missing] = await Promise.all([
        verb<{ picked?: string }>('route explain', ['--profile', 'profile.scan']),
        verb('profiles list', []),
        verb('extensions list', []),
        verb('credits add', ['5']),
        // Failure paths: a backend error after the secrets resolved, and a credential that does not resolve.
        run(['create', '--profile', 'profile.scan', '--json', '--verbose'], {
          SANDBOXER_STUB_FAULT: 'provision:fatal',
        }),
        run(['create', '--profile', 'profile.scan', '--json'], { SCAN_API_KEY: '' }),
      ]);
      expect(explained.picked).toBe('ext.saas-stub');
      expect(failed.code).toBe(1);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('env:SCAN_API_KEY');

      const a = await verb<Rec>('create', ['--profile', 'profile.scan', '--ttl', '30m']);
      expect(a.state).toBe('ready');
      await Promise.all([
        verb('get', [a.id]),
        run(['get', a.id]),
        verb('list', ['--all']),
        verb('extend-ttl', [a.id, '--duration', '10m']),
      ]);
      const snap = await verb<{ id: string }>('snapshot', [a.id, '--name', 'scan']);
      const [, , b, c] = await Promise.all([
        verb('snapshots list', []),
        verb('snapshots get', [snap.id]),
        verb<Rec>('restore', [snap.id, '--ttl', '20m']),
        verb<Rec>('recreate', [a.id]),
      ]);
      expect(b.state).toBe('ready');
      expect(c.state).toBe('ready');
      await Promise.all([
        verb('snapshots delete', [snap.id]),
        verb('destroy', [b.id]),
        verb('destroy', [c.id]),
      ]);
      await verb('destroy', [c.id]);
      await Promise.all([
        verb('expire', ['--apply']),
        verb('inspect stale', []),
        verb('credits show', ['--entries']),
        verb('export list', []),
      ]);
      await Promise.all([verb('reap-stale', ['--apply']), verb('export replay', [])]);
      // A verb added after this test was written: at least its no-argument path runs and is scanned.
      const added = commands.filter((c) => !covered.has(c.name) && !NOT_RUN.has(c.name));
      for (const c of added) covered.add(c.name);
      await Promise.all(added.map((c) => run([...c.name.split(' '), '--json'])));
      expect(covered.size).toBe(commands.length - NOT_RUN.size);

      // In Actions, every resolved value was registered for masking, line by line (on stderr, which the runner
      // also reads commands from, so that --json stdout stays parseable).
      const stderr = outputs.map((o) => o.result.stderr).join('\n');
      for (const line of [SECRETS.env, SECRETS.file, SECRETS.vault, ...SECRETS.key.split('\n')])
        expect(stderr).toContain(`${MASK_PREFIX}${line}\n`);

      // The scanner has teeth: it finds the value raw, and base64-encoded at any alignment inside a longer blob.
      const finds = (text: string) => NEEDLES.some((n) => text.includes(n));
      expect(finds(readFileSync(secretFile, 'latin1'))).toBe(true);
      for (const pad of ['', 'x', 'xy'])
        expect(finds(Buffer.from(`{"k":"${pad}${SECRETS.vault}"}`).toString('base64'))).toBe(true);
      // State Hub and fin-hub really received traffic that is scanned below.
      expect(sent.length).toBeGreaterThan(0);

      const leaks: string[] = [];
      const scan = (where: string, text: string) => leaks.push(...leaksIn(where, text));
      for (const { args, result } of outputs) {
        scan(`stdout of '${args.join(' ')}'`, result.stdout);
        scan(`stderr of '${args.join(' ')}'`, withoutMasks(result.stderr));
      }
      const files = walk(root).filter((f) => !f.startsWith(join(root, 'secrets')));
      expect(files.some((f) => f.startsWith(stateDir))).toBe(true);
      for (const f of files) scan(f, readFileSync(f).toString('latin1'));
      for (const [i, body] of sent.entries()) scan(`request #${i} to State Hub / fin-hub`, body);
      expect(leaks).toEqual([]);
    },
  );
});

describe('HTTP API tokens never leave memory', () => {
  it(
    'serve with canary tokens (env:, file:, a digest) logs, stores and answers none of them',
    { timeout: 180_000 },
    async () => {
      const TOKENS = { env: `${BASE}-api-env`, file: `${BASE}-api-file`, digest: `${BASE}-api-digest` };
      const tokenFile = join(root, 'secrets', 'api-token');
      writeFileSync(tokenFile, `${TOKENS.file}\n`, { mode: 0o600 });
      const tokensFile = join(root, 'tokens.yaml');
      const digest = createHash('sha256').update(TOKENS.digest).digest('hex');
      writeFileSync(
        tokensFile,
        [
          'tokens:',
          '  - { caller: scan-a, scope: team-a, token_ref: "env:SCAN_API_TOKEN" }',
          `  - { caller: scan-b, scope: team-b, token_ref: "file:${tokenFile}" }`,
          `  - { caller: scan-ops, scope: ops, admin: true, token_sha256: ${digest} }`,
          '',
        ].join('\n'),
      );
      const answers: string[] = [];
      const serve = await startServe(['--tokens-file', tokensFile, '--verbose'], {
        ...env,
        SCAN_API_TOKEN: TOKENS.env,
      });
      const call = async (method: string, path: string, token: string, json?: unknown) => {
        const r = await callHttp(serve.url, method, path, { token, ...(json === undefined ? {} : { json }) });
        answers.push(`${method} ${path} → ${r.status} ${JSON.stringify(r.headers)} ${r.text}`);
        return r;
      };
      try {
        const created = await call('POST', '/v1/sandboxes', TOKENS.env, {
          profile: 'profile.scan',
          ttl: '10m',
        });
        expect(created.status).toBe(202);
        const id = created.body.id;
        expect((await call('GET', `/v1/sandboxes/${id}`, TOKENS.file)).status).toBe(404);
        expect((await call('GET', '/v1/sandboxes', `${BASE}-wrong-token`)).status).toBe(401);
        const until = async (token: string, states: string[]) => {
          let state = '';
          for (let i = 0; i < 400 && !states.includes(state); i++) {
            if (i) await new Promise((res) => setTimeout(res, 50));
            state = (await call('GET', `/v1/sandboxes/${id}`, token)).body.state;
          }
          return state;
        };
        expect(await until(TOKENS.digest, ['ready', 'failed'])).toBe('ready');
        expect((await call('DELETE', `/v1/sandboxes/${id}`, TOKENS.digest)).status).toBe(202);
        expect(await until(TOKENS.env, ['destroyed'])).toBe('destroyed');
      } finally {
        serve.child.kill('SIGTERM');
        await serve.exited;
      }
      // The scanner has teeth here too: the token file holds one.
      expect(leaksIn('token file', readFileSync(tokenFile, 'utf8'))).not.toEqual([]);
      const leaks = [
        ...leaksIn('the log of serve', withoutMasks(serve.stderr())),
        ...answers.flatMap((a, i) => leaksIn(`answer #${i}`, a)),
        ...walk(root)
          .filter((f) => !f.startsWith(join(root, 'secrets')))
          .flatMap((f) => leaksIn(f, readFileSync(f).toString('latin1'))),
        ...sent.flatMap((body, i) => leaksIn(`request #${i} to State Hub / fin-hub`, body)),
      ];
      expect(leaks).toEqual([]);
    },
  );
});
