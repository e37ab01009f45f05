import { unlinkSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { BackendError, CancelledError } from '../../../core/errors.ts';
import type { Logger } from '../../../core/logger.ts';
import { hostKeyProblem, hostKeyRefused } from '../host-key.ts';
import { LocalTarStream } from '../local-tar.ts';
import type { SshTarget } from '../target.ts';
import { Frame, frame, json, MUX_PROTOCOL, readFrames, writeFrame } from './frames.ts';
import { muxAgentCommand, muxDir, socketPath } from './paths.ts';

/**
 * The CLI's side of the SSH mux agent (agent.ts): each remote command is one connection to the agent's unix
 * socket. The agent first sends the host key its SSH connection verified, and it is checked here with the same
 * check as a direct connection (hostKeyProblem) on every call, so a pin or known_hosts change is enforced at
 * once. No agent, a stale socket or an agent that does not answer means a direct connection, never a failure.
 */
export interface MuxOptions {
  extId: string;
  target: SshTarget;
  env: NodeJS.ProcessEnv;
  log: Logger;
}

export interface StreamOptions {
  stdin?: string | Buffer | Readable;
  signal: AbortSignal;
  stdout(d: Buffer): void;
  stderr(d: Buffer): void;
  stdoutTo?: NodeJS.WritableStream;
}

/** Seconds an agent lives after its last command (SANDBOXER_SSH_MUX_IDLE). */
const DEFAULT_IDLE_S = 60;
/** Bounds on reaching an agent and on starting one (its own SSH handshake included). */
const CONNECT_MS = 3000;
const START_MS = 20_000;
const STDIN_PIECE = 1024 * 1024;
/** The error code of an agent that speaks another protocol version. */
const OTHER_PROTOCOL = 'E_MUX_PROTOCOL';

type Handler = (type: number, body: Buffer) => void;
interface Link {
  sock: Socket;
  on(h: Handler): void;
}

export class MuxLink {
  private spare: Link | undefined;

  private constructor(
    private readonly o: MuxOptions,
    private readonly path: string,
  ) {}

  /**
   * A link to this target's agent (started when there is none), or undefined to connect directly. Throws only
   * when the agent's host key is refused.
   */
  static async open(
    o: MuxOptions,
    key: string | undefined,
    agentSock: string | undefined,
  ): Promise<MuxLink | undefined> {
    const command = muxAgentCommand(o.env);
    if (!command) return undefined;
    const d = muxDir(o.env);
    if ('problem' in d) {
      o.log.debug(`ssh mux off: ${d.problem}`);
      return undefined;
    }
    const path = socketPath(d.dir, o.target, key, agentSock);
    if (!path) {
      o.log.debug(`ssh mux off: the socket path under ${d.dir} is too long`);
      return undefined;
    }
    const link = new MuxLink(o, path);
    try {
      link.spare = await link.connect();
    } catch (err) {
      if (err instanceof BackendError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ECONNREFUSED' && code !== OTHER_PROTOCOL) {
        o.log.debug(`ssh mux agent at ${path}: ${(err as Error).message}; connecting directly`);
        return undefined;
      }
      // No agent, or a stale socket left by one that died: start a new one.
      if (code === 'ECONNREFUSED' || code === OTHER_PROTOCOL) unlinkQuietly(path);
      try {
        await startAgent(o, command, path, key, agentSock);
        link.spare = await link.connect();
      } catch (e) {
        if (e instanceof BackendError && !e.retryable) throw e;
        o.log.debug(`ssh mux agent could not start (${(e as Error).message}); connecting directly`);
        return undefined;
      }
    }
    o.log.debug(`ssh ${o.target.host}:${o.target.port}: through the mux agent ${path}`);
    return link;
  }

  /**
   * A link to the agent already listening at `path` (the CLI's warm exec path, cli/exec-route/), or undefined
   * when there is none or it cannot be used: never starts an agent, and a refused host key is only a miss here
   * (the full path that follows reports it).
   */
  static async attach(o: MuxOptions, path: string): Promise<MuxLink | undefined> {
    const link = new MuxLink(o, path);
    try {
      link.spare = await link.connect();
      return link;
    } catch {
      return undefined;
    }
  }

  /** The agent's unix socket. */
  get socket(): string {
    return this.path;
  }

  /** Connect to the agent and check the host key it holds (a refused key ends that agent). */
  private connect(): Promise<Link> {
    return new Promise((resolve, reject) => {
      const sock = connect(this.path);
      let handler: Handler | undefined;
      const timer = setTimeout(() => sock.destroy(new Error(`no answer in ${CONNECT_MS} ms`)), CONNECT_MS);
      const fail = (err: Error) => {
        clearTimeout(timer);
        sock.destroy();
        reject(err);
      };
      sock.once('error', fail);
      sock.once('close', () => fail(new Error('the agent closed the connection')));
      readFrames(sock, (type, body) => {
        if (handler) return handler(type, body);
        if (type !== Frame.hello) return fail(new Error(`unexpected frame ${type} before hello`));
        const hello = json<{ v: number; host_key: string }>(body);
        if (hello.v !== MUX_PROTOCOL) {
          // An agent of another sandboxer version (an upgrade): it is asked to go, and a new one takes its place.
          sock.write(frame(Frame.quit));
          return fail(Object.assign(new Error(`agent speaks protocol ${hello.v}`), { code: OTHER_PROTOCOL }));
        }
        const problem = hostKeyProblem(this.o.target, Buffer.from(hello.host_key, 'base64'));
        if (problem) {
          sock.write(frame(Frame.quit));
          return fail(hostKeyRefused(this.o.extId, problem));
        }
        clearTimeout(timer);
        sock.removeAllListeners('error').removeAllListeners('close');
        resolve({ sock, on: (h) => (handler = h) });
      });
    });
  }

  /** SshSession.stream through the agent: the command's output as it arrives, its exit code at the end. */
  async stream(command: string, opts: StreamOptions): Promise<{ code: number; signal?: string }> {
    if (opts.signal.aborted) throw new CancelledError();
    const link = this.spare ?? (await this.connect());
    this.spare = undefined;
    const { sock } = link;
    return new Promise((resolve, reject) => {
      let done = false;
      const finish = (err: Error | undefined, r?: { code: number; signal?: string }) => {
        if (done) return;
        done = true;
        opts.signal.removeEventListener('abort', onAbort);
        sock.end();
        if (err) reject(err);
        else resolve(r!);
      };
      const onAbort = () => {
        sock.write(frame(Frame.close));
        finish(new CancelledError());
      };
      opts.signal.addEventListener('abort', onAbort, { once: true });
      sock.on('error', (e) => finish(this.lost(e.message)));
      sock.on('close', () => finish(this.lost('the agent closed the connection')));
      link.on((type, body) => {
        if (type === Frame.stdout) {
          if (!opts.stdoutTo) return opts.stdout(body);
          if (!opts.stdoutTo.write(body)) {
            sock.pause();
            opts.stdoutTo.once('drain', () => sock.resume());
          }
        } else if (type === Frame.stderr) opts.stderr(body);
        else if (type === Frame.sent && opts.stdin instanceof LocalTarStream) {
          const n = json<{ bytes: number; done: boolean }>(body);
          opts.stdin.sent(n.bytes, n.done);
        } else if (type === Frame.exit) finish(undefined, json(body));
        else if (type === Frame.error) {
          const e = json<{ message: string; retryable: boolean }>(body);
          finish(new BackendError(this.o.extId, e.message, { retryable: e.retryable }));
        }
      });
      const input = opts.stdin;
      if (input instanceof LocalTarStream) {
        // The agent reads the files itself: no byte of them passes through this process.
        sock.write(frame(Frame.exec, { command, stdin: true, local_tar: input.source }));
        return;
      }
      sock.write(frame(Frame.exec, { command, stdin: input !== undefined }));
      if (input === undefined) return;
      if (typeof input === 'string' || Buffer.isBuffer(input)) {
        const b = Buffer.from(input);
        for (let i = 0; i < b.length; i += STDIN_PIECE)
          sock.write(frame(Frame.stdin, b.subarray(i, i + STDIN_PIECE)));
        sock.write(frame(Frame.stdinEnd));
        return;
      }
      input.on('data', (d: Buffer | string) => {
        if (done) return;
        if (!writeFrame(sock, Frame.stdin, Buffer.isBuffer(d) ? d : Buffer.from(d))) {
          input.pause();
          sock.once('drain', () => input.resume());
        }
      });
      input.on('end', () => !done && sock.write(frame(Frame.stdinEnd)));
      input.on('error', (e) => {
        if (!done) sock.write(frame(Frame.close));
        finish(new BackendError(this.o.extId, `upload failed: ${e.message}`, { retryable: false }));
      });
    });
  }

  private lost(why: string): BackendError {
    return new BackendError(this.o.extId, `ssh mux agent for ${this.o.target.host}: ${why}`, {
      retryable: true,
      hint: 'run again; SANDBOXER_SSH_MUX=0 connects directly',
    });
  }

  close(): void {
    this.spare?.sock.end();
    this.spare = undefined;
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Gone already, or another caller's new agent replaced it.
  }
}

/**
 * Start a detached agent for this target and wait until it listens. The private key reaches it on its stdin
 * pipe only (never argv, env or disk); the agent makes its own verified SSH connection before it answers.
 */
function startAgent(
  o: MuxOptions,
  command: string[],
  path: string,
  key: string | undefined,
  agentSock: string | undefined,
): Promise<void> {
  const idle = Number(o.env.SANDBOXER_SSH_MUX_IDLE);
  const idle_s = Number.isFinite(idle) && idle > 0 ? idle : DEFAULT_IDLE_S;
  const [exe, ...args] = command;
  // Loaded here, not at import: the warm exec path attaches to a running agent and never starts one, and
  // node:child_process is a few milliseconds of its start-up.
  const { spawn } = process.getBuiltinModule('node:child_process');
  const child = spawn(exe!, args, {
    detached: true,
    stdio: ['pipe', 'pipe', 'ignore'],
    env: { ...o.env, SANDBOXER_SSH_MUX: '0' },
  });
  return new Promise((resolve, reject) => {
    let said = '';
    const timer = setTimeout(() => done(new Error(`not ready in ${START_MS} ms`)), START_MS);
    const done = (err?: Error) => {
      clearTimeout(timer);
      child.stdout.removeAllListeners('data');
      child.stdout.destroy();
      child.unref();
      if (err) {
        child.kill();
        reject(err);
      } else resolve();
    };
    child.on('error', (e) => done(e));
    child.on('exit', (code) => done(refusal(o.extId, said) ?? new Error(`agent exited (${code})`)));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      said += d;
      if (said.includes('ready\n')) {
        child.removeAllListeners('exit');
        done();
      }
    });
    child.stdin.end(
      `${JSON.stringify({ ext_id: o.extId, socket: path, target: o.target, key, agent_sock: agentSock, idle_s })}\n`,
    );
  });
}

/** An agent that could not connect says why on stdout; a refused host key or login is not retried directly. */
function refusal(extId: string, said: string): BackendError | undefined {
  const line = said.split('\n').find((l) => l.startsWith('refused '));
  if (!line) return undefined;
  const e = JSON.parse(line.slice('refused '.length)) as { message: string; hint?: string };
  return new BackendError(extId, e.message, { retryable: false, ...(e.hint ? { hint: e.hint } : {}) });
}
