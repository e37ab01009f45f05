import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/core/logger.ts';
import { SshSession } from '../../src/extensions/ssh/connection.ts';
import { LocalTarStream, localTarSource } from '../../src/extensions/ssh/local-tar.ts';
import { Frame, frame, MUX_PROTOCOL, readFrames } from '../../src/extensions/ssh/mux/frames.ts';
import { allowMux, socketPath } from '../../src/extensions/ssh/mux/paths.ts';
import { sh } from '../../src/extensions/ssh/quote.ts';
import type { SshTarget } from '../../src/extensions/ssh/target.ts';
import { tempDir } from '../helpers/env.ts';
import { skipReason, testHost } from './host.ts';

/**
 * The CLI's SSH mux agent (src/extensions/ssh/mux/) on the real loopback host: a real agent process started
 * from source, as `sandboxer __ssh-mux-agent`, lending its verified connection to SshSession calls.
 */
const reason = skipReason();
const suite = reason ? describe.skip : describe;
const ENTRY = fileURLToPath(new URL('../../src/cli/entry.ts', import.meta.url));
const tmp = tempDir('sbx-mux-');
afterAll(() => tmp.cleanup());

function logger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const add = (m: string) => void lines.push(m);
  return { lines, debug: add, info: add, warn: add, error: add } as Logger & { lines: string[] };
}

/** A fresh agent directory (short: socket paths are bounded) and the env pointing at it. */
function muxEnv(extra: NodeJS.ProcessEnv = {}): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = join(tmp.dir, randomBytes(3).toString('hex'));
  return { dir, env: { SANDBOXER_SSH_MUX_DIR: dir, SANDBOXER_SSH_MUX_IDLE: '10', ...extra } };
}

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting for ${what}`);
}

suite('ssh mux agent (real sshd on loopback)', () => {
  const h = reason ? undefined : testHost();
  const key = h?.env.SANDBOXER_SSH_KEY as string;
  const knownHosts = join(tmp.dir, 'known_hosts');
  if (h) copyFileSync(h.knownHosts, knownHosts);
  const target: SshTarget = {
    host: '127.0.0.1',
    port: h?.port ?? 2222,
    user: 'root',
    known_hosts: knownHosts,
    insecure_accept_any_host_key: false,
  };
  allowMux([process.execPath, '--import', 'tsx', ENTRY, '__ssh-mux-agent']);

  const open = (env: NodeJS.ProcessEnv, log: Logger, t: SshTarget = target) =>
    SshSession.open({
      extId: 'ext.test',
      target: t,
      secrets: new Map([['ssh_key', key]]),
      env,
      log,
      signal: new AbortController().signal,
      mux: true,
    });

  async function run(env: NodeJS.ProcessEnv, log = logger()) {
    const s = await open(env, log);
    try {
      return await s.exec(`sh -c 'cat; echo out; echo err >&2; exit 7'`, { stdin: 'in-data\n' });
    } finally {
      s.close();
    }
  }

  it('gives the same exit code, stdout, stderr and stdin as a direct connection; 0700 directory', async () => {
    const { dir, env } = muxEnv();
    const log = logger();
    const viaAgent = await run(env, log);
    expect(log.lines.some((l) => l.includes('through the mux agent'))).toBe(true);
    const direct = await run({ SANDBOXER_SSH_MUX: '0' });
    expect(viaAgent).toEqual(direct);
    expect(viaAgent).toEqual({ code: 7, stdout: 'in-data\nout\n', stderr: 'err\n' });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const sock = socketPath(dir, target, key, undefined)!;
    expect(statSync(sock).isSocket()).toBe(true);
    // A second call reuses the agent (the same socket, no new one).
    expect((await run(env)).code).toBe(7);
    expect(readdirSync(dir)).toEqual([sock.split('/').pop()]);
  });

  it('streams a large stdin in and a large stdout out with backpressure, bytes intact', async () => {
    const { env } = muxEnv();
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const s = await open(env, logger());
    try {
      const sum = await s.exec('sha256sum', {
        stdin: Readable.from([data.subarray(0, 1000), data.subarray(1000)]),
      });
      expect(sum.stdout.split(' ')[0]).toBe(createHash('sha256').update(data).digest('hex'));
      const chunks: Buffer[] = [];
      const slow = new Writable({
        highWaterMark: 1024,
        write(c: Buffer, _e, cb) {
          chunks.push(c);
          setImmediate(cb);
        },
      });
      const r = await s.stream('head -c 4000000 /dev/zero | tr "\\0" x', {
        stdout: () => undefined,
        stderr: () => undefined,
        stdoutTo: slow,
      });
      expect(r.code).toBe(0);
      // As getOver does: the caller ends its stream once the command is done, then reads the rest.
      await new Promise<void>((resolve) => slow.end(resolve));
      expect(Buffer.concat(chunks).length).toBe(4_000_000);
    } finally {
      s.close();
    }
  });

  it('the agent reads a local tar itself: the same files and progress as direct; a failing tar fails the upload', async () => {
    const src = join(tmp.dir, 'tar-src');
    mkdirSync(join(src, 'sub'), { recursive: true });
    const data = randomBytes(3 * 1024 * 1024 + 5);
    writeFileSync(join(src, 'sub', 'big.bin'), data);
    symlinkSync('/etc/passwd', join(src, 'link'));
    const digest = createHash('sha256').update(data).digest('hex');
    const dest = `/tmp/sbx-mux-tar-${randomBytes(4).toString('hex')}`;
    const put = sh`rm -rf ${dest} && mkdir -p ${dest} && tar -xf - -C ${dest} && sha256sum < ${`${dest}/sub/big.bin`} && readlink ${`${dest}/link`}; rm -rf ${dest}`;
    for (const [how, env] of [
      ['agent', muxEnv().env],
      ['direct', { SANDBOXER_SSH_MUX: '0' }],
    ] as const) {
      const s = await open(env, logger());
      try {
        const progress: Array<[number, boolean]> = [];
        const tar = new LocalTarStream(localTarSource(src, true, {}), (n, done) => progress.push([n, done]));
        const r = await s.exec(put, { stdin: tar });
        expect(r, how).toEqual({ code: 0, stdout: `${digest}  -\n/etc/passwd\n`, stderr: '' });
        // Through the agent not one byte of the files passed through this process.
        expect(tar.readableDidRead, how).toBe(how === 'direct');
        expect(
          progress.filter(([, done]) => done),
          how,
        ).toEqual([[expect.any(Number), true]]);
        expect(progress.at(-1)![0], how).toBeGreaterThan(data.length);
        const missing = new LocalTarStream(localTarSource(join(src, 'missing'), false, {}), () => undefined);
        await expect(s.exec(put, { stdin: missing }), how).rejects.toThrow(
          /upload failed: tar of .* failed \(exit 2\): .*missing: Cannot stat/,
        );
        // A command that ends before the tar does (here without reading it) still fails when the tar fails.
        const late = new LocalTarStream(localTarSource(join(src, 'missing'), false, {}), () => undefined);
        await expect(s.exec('true', { stdin: late }), how).rejects.toThrow(/upload failed: tar of .* failed/);
      } finally {
        s.close();
      }
    }
  });

  it('refuses a changed host key through a running agent, and that agent exits', async () => {
    const { dir, env } = muxEnv();
    const hosts = join(tmp.dir, 'known_hosts_changing');
    copyFileSync(h!.knownHosts, hosts);
    const t = { ...target, known_hosts: hosts };
    const s = await open(env, logger(), t);
    expect((await s.exec('true')).code).toBe(0);
    s.close();
    const sock = socketPath(dir, t, key, undefined)!;
    expect(existsSync(sock)).toBe(true);
    // Same target and file, other content: the agent's connection is to a key the file no longer names.
    writeFileSync(hosts, `[127.0.0.1]:${t.port} ssh-ed25519 ${randomBytes(51).toString('base64')}\n`);
    await expect(open(env, logger(), t)).rejects.toThrow(/host key of 127\.0\.0\.1:\d+ .* does not match/);
    await until('the refused agent to exit', () => !existsSync(sock));
  });

  it('falls back when the socket is stale (nothing listening), and starts a new agent', async () => {
    const { dir, env } = muxEnv();
    mkdirSync(dir, { mode: 0o700 });
    const sock = socketPath(dir, target, key, undefined)!;
    writeFileSync(sock, 'not a socket');
    const log = logger();
    expect((await run(env, log)).code).toBe(7);
    expect(statSync(sock).isSocket()).toBe(true);
  });

  it('an agent of another protocol version (an upgrade) is asked to quit and replaced by a new one', async () => {
    const { dir, env } = muxEnv();
    mkdirSync(dir, { mode: 0o700 });
    const sock = socketPath(dir, target, key, undefined)!;
    const got: number[] = [];
    const old = createServer((c) => {
      c.write(frame(Frame.hello, { v: MUX_PROTOCOL - 1, host_key: '' }));
      readFrames(c, (type) => void got.push(type));
      c.on('error', () => undefined);
    });
    await new Promise<void>((r) => old.listen(sock, r));
    const oldIno = statSync(sock).ino;
    try {
      const log = logger();
      expect((await run(env, log)).code).toBe(7);
      expect(log.lines.join('\n')).toContain('through the mux agent');
      await until('the old agent is told to quit', () => got.includes(Frame.quit));
      expect(statSync(sock).ino).not.toBe(oldIno);
    } finally {
      old.close();
    }
  });

  it('SANDBOXER_SSH_MUX=0 connects directly: no agent, no socket', async () => {
    const { dir, env } = muxEnv({ SANDBOXER_SSH_MUX: '0' });
    const log = logger();
    expect((await run(env, log)).code).toBe(7);
    expect(log.lines.some((l) => l.includes('mux agent'))).toBe(false);
    expect(existsSync(dir)).toBe(false);
  });

  it('a directory others can read means no mux (direct connection)', async () => {
    const { dir, env } = muxEnv();
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    const log = logger();
    expect((await run(env, log)).code).toBe(7);
    expect(log.lines.some((l) => l.includes('ssh mux off') && l.includes('mode 755'))).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('an idle agent exits and removes its socket (SANDBOXER_SSH_MUX_IDLE)', async () => {
    const { dir, env } = muxEnv({ SANDBOXER_SSH_MUX_IDLE: '1' });
    expect((await run(env)).code).toBe(7);
    const sock = socketPath(dir, target, key, undefined)!;
    await until('the idle agent to exit', () => !existsSync(sock));
    // The next call starts another one.
    expect((await run(env)).code).toBe(7);
  });
});
