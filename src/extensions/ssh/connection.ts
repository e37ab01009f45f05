import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type ssh2 from 'ssh2';
import type { ClientChannel, ConnectConfig } from 'ssh2';
import { BackendError, CancelledError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { createCredentialResolver } from '../../credentials/index.ts';
import { sleep } from '../../core/sleep.ts';
import type { ExtensionContext, Secrets } from '../contract.ts';
import { batchWrites } from './batch-writes.ts';
import { collectOutput } from './exec-commands.ts';
import { fingerprintSha256, hostKeyProblem, hostKeyRefused } from './host-key.ts';
import { LocalTarStream } from './local-tar.ts';
import { MuxLink } from './mux/client.ts';
import type { SshTarget } from './target.ts';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  /** Sent on stdin, then EOF (secrets go here, never into the command line). */
  stdin?: string | Buffer | Readable;
  signal?: AbortSignal;
  /** What the command does, for the debug log and error messages. */
  what?: string;
}

export interface OpenOptions {
  extId: string;
  target: SshTarget;
  secrets: Secrets;
  env: NodeJS.ProcessEnv;
  log: Logger;
  signal: AbortSignal;
  /** Connection attempts for network errors (never for auth or host-key failures). Default 3. */
  attempts?: number;
  readyTimeout_ms?: number;
  /** Through the user's SSH mux agent when this process allows it (the CLI's access verbs; mux/paths.ts). */
  mux?: boolean;
}

/** sshd's default MaxSessions is 10 per connection; stay below it. */
const MAX_CHANNELS = 8;
const TAIL = 2000;
const SIGNALS: Record<string, number> = { HUP: 1, INT: 2, KILL: 9, PIPE: 13, TERM: 15 };

/** What a failed command said: its error lines when it printed some (compose tools bury them), else the tail. */
export function failureText(s: string): string {
  const errors = s
    .split('\n')
    .filter((l) => /error/i.test(l) && !/^\s*(File |raise |Traceback)/.test(l))
    .slice(-5)
    .join('\n');
  const text = errors || s;
  return (text.length > TAIL ? `…${text.slice(-TAIL)}` : text).trim();
}

async function privateKeyFor(o: OpenOptions): Promise<string | undefined> {
  const direct = o.secrets.get('ssh_key');
  if (direct) return direct;
  if (!o.target.key_ref) return undefined;
  // Teardown, reaping and expiry may run without the profile's resolved secrets: resolve the ref kept in the
  // handle (a reference, never the value) the same way the manager would.
  const { secrets } = await createCredentialResolver(o.env).resolve(
    [{ name: 'ssh_key', secret_ref: o.target.key_ref, required: false }],
    { env: o.env, signal: o.signal },
  );
  return secrets.get('ssh_key');
}

/**
 * One SSH connection to a placement host with every rule the ssh2 pitfalls call for: host key verified (pinned
 * SHA256 or known_hosts) unless explicitly and loudly disabled, keepalive on, bounded parallel channels, both
 * output streams drained, connection errors retried with a fresh client, abort-signal aware.
 */
export class SshSession {
  /** SHA256 fingerprint of the host key this connection verified (pin it for later connections). */
  hostKeySha256 = '';
  /** The raw host key blob this connection verified (the mux agent hands it to each caller to check). */
  hostKey: Buffer = Buffer.alloc(0);
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private closed = false;

  private readonly closeHandlers: (() => void)[] = [];

  /** The mux agent's socket and this target, when commands go through one (the CLI's warm exec path keeps it). */
  get muxRoute(): { socket: string; target: SshTarget } | undefined {
    return this.mux && { socket: this.mux.socket, target: this.o.target };
  }

  private constructor(
    private readonly client: ssh2.Client | undefined,
    private readonly o: OpenOptions,
    /** Commands go through the user's mux agent (mux/client.ts) instead of a connection of our own. */
    private readonly mux?: MuxLink,
  ) {}

  static async open(o: OpenOptions): Promise<SshSession> {
    const privateKey = await privateKeyFor(o);
    const agent = privateKey ? undefined : o.env.SSH_AUTH_SOCK;
    if (!privateKey && !agent) {
      throw new BackendError(o.extId, `no SSH key for ${o.target.user}@${o.target.host}`, {
        retryable: false,
        hint: `set the secret named by placement.key_ref${o.target.key_ref ? ` (${o.target.key_ref})` : ''} to the private key, or run an ssh-agent`,
      });
    }
    if (o.target.insecure_accept_any_host_key) {
      o.log.warn(
        `INSECURE: host key verification is DISABLED for ${o.target.host}:${o.target.port} (insecure_accept_any_host_key); anyone on the path can impersonate this host`,
      );
    }
    if (o.mux) {
      const link = await MuxLink.open(o, privateKey, agent);
      if (link) return new SshSession(undefined, o, link);
    }
    const attempts = o.attempts ?? 3;
    for (let i = 1; ; i++) {
      if (o.signal.aborted) throw new CancelledError();
      try {
        return await SshSession.connectOnce(o, privateKey, agent);
      } catch (err) {
        if (!(err instanceof BackendError) || !err.retryable || i >= attempts || o.signal.aborted) throw err;
        o.log.debug(`ssh ${o.target.host}:${o.target.port}: ${err.message}; retrying (${i}/${attempts})`);
        await sleep(250 * 2 ** i * Math.random() + 100, o.signal);
      }
    }
  }

  private static async connectOnce(
    o: OpenOptions,
    privateKey: string | undefined,
    agent: string | undefined,
  ): Promise<SshSession> {
    const { target } = o;
    const where = `${target.user}@${target.host}:${target.port}`;
    // Loaded on first use: CLI verbs and the actions that never open SSH do not pay for ssh2 at start-up.
    const { Client } = (await import('ssh2')).default;
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const client = new Client();
      let seen = '';
      let hostKey: Buffer = Buffer.alloc(0);
      let hostKeyProblem_: BackendError | undefined;
      const onAbort = () => {
        client.end();
        reject(new CancelledError());
      };
      o.signal.addEventListener('abort', onAbort, { once: true });
      const verify = (key: Buffer): boolean => {
        seen = fingerprintSha256(key);
        hostKey = key;
        const problem = hostKeyProblem(target, key);
        if (problem) hostKeyProblem_ = hostKeyRefused(o.extId, problem);
        return !problem;
      };
      const config: ConnectConfig = {
        host: target.host,
        port: target.port,
        username: target.user,
        readyTimeout: o.readyTimeout_ms ?? 20_000,
        keepaliveInterval: 10_000,
        keepaliveCountMax: 3,
        hostVerifier: verify,
        ...(privateKey ? { privateKey } : {}),
        ...(agent ? { agent } : {}),
      };
      client
        .on('ready', () => {
          o.signal.removeEventListener('abort', onAbort);
          o.log.debug(`ssh ${where}: connected in ${Date.now() - started} ms`);
          const s = new SshSession(client, o);
          s.hostKeySha256 = seen;
          s.hostKey = hostKey;
          client.on('error', (err) => o.log.debug(`ssh ${where}: ${err.message}`));
          client.on('close', () => {
            s.closed = true;
            for (const fn of s.closeHandlers) fn();
          });
          resolve(s);
        })
        .on('error', (err: Error & { level?: string; code?: string }) => {
          o.signal.removeEventListener('abort', onAbort);
          client.end();
          if (hostKeyProblem_) return reject(hostKeyProblem_);
          if (err.level === 'client-authentication') {
            return reject(
              new BackendError(o.extId, `SSH authentication as ${where} was refused`, {
                retryable: false,
                hint: 'check placement.user and that the key named by placement.key_ref is authorized on the host',
              }),
            );
          }
          reject(
            new BackendError(o.extId, `cannot reach ${where}: ${err.code ?? err.message}`, {
              retryable: true,
              hint: 'check that the host is up and reachable (SANDBOXER_HOST overrides the placement)',
            }),
          );
        });
      try {
        client.connect(config);
        // ssh2 leaves Nagle on: each small request (channel open, exec, EOF) then waits for the peer's delayed
        // ACK, 40 ms or more per round trip (#13). The socket exists once connect() returns.
        client.setNoDelay(true);
        const sock = (client as unknown as { _sock?: Socket })._sock;
        if (sock) batchWrites(sock);
      } catch (err) {
        // ssh2 throws synchronously on a key it cannot parse; its message never quotes the key.
        o.signal.removeEventListener('abort', onAbort);
        reject(
          new BackendError(o.extId, `the SSH key cannot be used: ${(err as Error).message}`, {
            retryable: false,
            hint: `the secret${target.key_ref ? ` ${target.key_ref}` : ''} must hold an unencrypted OpenSSH or PEM private key`,
          }),
        );
      }
    });
  }

  private async acquire(): Promise<void> {
    if (this.active < MAX_CHANNELS) {
      this.active++;
      return;
    }
    await new Promise<void>((r) => this.waiting.push(r));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }

  /** Run one command (already quoted with sh`…`); resolves with its exit code and output, never throws on code. */
  exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    return collectOutput((c, o) => this.stream(c, o), command, opts);
  }

  /**
   * Run one command with its output handed over as it arrives (a user's exec, logs, a tar of files). Resolves
   * when the channel closes: the exit code (255 when the remote side gave none), or the signal that ended it.
   * An abort closes the channel and rejects with CancelledError; it does not by itself stop the remote process.
   */
  async stream(
    command: string,
    opts: ExecOptions & {
      stdout(d: Buffer): void;
      stderr(d: Buffer): void;
      /** Pipe stdout here instead (with backpressure; not ended by this call). */
      stdoutTo?: NodeJS.WritableStream;
    },
  ): Promise<{ code: number; signal?: string }> {
    const signal = opts.signal ?? this.o.signal;
    if (signal.aborted) throw new CancelledError();
    if (this.closed) {
      throw new BackendError(this.o.extId, `connection to ${this.o.target.host} closed`, { retryable: true });
    }
    await this.acquire();
    const started = Date.now();
    try {
      const r = this.mux
        ? await this.mux.stream(command, { ...opts, signal })
        : await this.channel(this.client!, command, opts, signal);
      this.o.log.debug(
        `ssh ${this.o.target.host}: ${opts.what ?? 'command'} exit ${r.code} (${Date.now() - started} ms)`,
      );
      return r;
    } finally {
      this.release();
    }
  }

  private channel(
    client: ssh2.Client,
    command: string,
    opts: ExecOptions & {
      stdout(d: Buffer): void;
      stderr(d: Buffer): void;
      stdoutTo?: NodeJS.WritableStream;
    },
    signal: AbortSignal,
  ): Promise<{ code: number; signal?: string }> {
    return new Promise<{ code: number; signal?: string }>((resolve, reject) => {
      client.exec(command, (err, ch: ClientChannel) => {
        if (err) {
          return reject(
            new BackendError(this.o.extId, `cannot open a channel: ${err.message}`, { retryable: true }),
          );
        }
        let code: number | null = null;
        let sig: string | undefined;
        const onAbort = () => {
          ch.close();
          reject(new CancelledError());
        };
        signal.addEventListener('abort', onAbort, { once: true });
        if (opts.stdoutTo) ch.pipe(opts.stdoutTo, { end: false });
        else ch.on('data', (d: Buffer) => opts.stdout(d));
        ch.stderr.on('data', (d: Buffer) => opts.stderr(d));
        ch.on('exit', (c: number | null, s?: string) => {
          code = c;
          if (s) sig = s;
        });
        const input = opts.stdin;
        const failed = (e: Error) =>
          reject(new BackendError(this.o.extId, `upload failed: ${e.message}`, { retryable: false }));
        ch.on('close', () => {
          signal.removeEventListener('abort', onAbort);
          const r = {
            code: code ?? (sig ? 128 + (SIGNALS[sig] ?? 0) : 255),
            ...(sig ? { signal: sig } : {}),
          };
          if (input instanceof LocalTarStream) input.settled().then(() => resolve(r), failed);
          else resolve(r);
        });
        if (input === undefined) ch.end();
        else if (typeof input === 'string' || Buffer.isBuffer(input)) ch.end(input);
        else {
          input.on('error', (e) => {
            ch.close();
            failed(e);
          });
          input.pipe(ch);
        }
      });
    });
  }

  /** exec, throwing a BackendError (with the command's stderr tail) on a non-zero exit. */
  async run(command: string, opts: ExecOptions & { retryable?: boolean } = {}): Promise<string> {
    const r = await this.exec(command, opts);
    if (r.code !== 0) {
      throw new BackendError(
        this.o.extId,
        `${opts.what ?? 'remote command'} failed on ${this.o.target.host} (exit ${r.code}): ${failureText(r.stderr || r.stdout)}`,
        { retryable: opts.retryable ?? false },
      );
    }
    return r.stdout;
  }

  /** Called once when the SSH connection closes (the mux agent exits with it). */
  onClose(fn: () => void): void {
    this.closeHandlers.push(fn);
  }

  close(): void {
    this.closed = true;
    this.client?.end();
    this.mux?.close();
  }
}

/** Open, use, always close. */
export async function withSession<T>(o: OpenOptions, fn: (s: SshSession) => Promise<T>): Promise<T> {
  const s = await SshSession.open(o);
  try {
    return await fn(s);
  } finally {
    s.close();
  }
}

/** Session options for an extension call: the context's secrets, env, logger and abort signal. */
export const sessionOptions = (
  ctx: ExtensionContext,
  target: SshTarget,
  extra: { mux?: boolean } = {},
): OpenOptions => ({
  extId: ctx.manifest.id,
  target,
  secrets: ctx.secrets,
  env: ctx.env,
  log: ctx.log,
  signal: ctx.signal,
  ...extra,
});

/** A session for an extension call. */
export const inSession = <T>(
  ctx: ExtensionContext,
  target: SshTarget,
  fn: (s: SshSession) => Promise<T>,
): Promise<T> => withSession(sessionOptions(ctx, target), fn);

/** A session for a user's access call (exec, files, ports): through the mux agent where the process allows it. */
export const inAccessSession = <T>(
  ctx: ExtensionContext,
  target: SshTarget,
  fn: (s: SshSession) => Promise<T>,
): Promise<T> => withSession(sessionOptions(ctx, target, { mux: true }), fn);
