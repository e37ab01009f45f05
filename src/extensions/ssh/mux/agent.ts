import { renameSync, statSync, unlinkSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { PassThrough, type Readable, Writable } from 'node:stream';
import { BackendError, SandboxerError } from '../../../core/errors.ts';
import { silentLogger } from '../../../core/logger.ts';
import { SshSession } from '../connection.ts';
import { LocalTarStream, parseLocalTarSource } from '../local-tar.ts';
import { SshTarget } from '../target.ts';
import { Frame, frame, json, MUX_PROTOCOL, readFrames, writeFrame } from './frames.ts';

/**
 * The SSH mux agent (`sandboxer __ssh-mux-agent`, started by mux/client.ts): one verified SSH connection to one
 * host, lent to the user's CLI calls through a unix socket in a 0700 directory, so an `exec` or a `cp` skips
 * the SSH handshake. It reads its target and key from stdin (never argv, env or disk), connects with the same
 * host-key check as a direct connection, then listens. It exits after `idle_s` without a command, when its
 * SSH connection closes, or when a caller refuses the host key it holds. It logs nothing.
 */
/** Buffering per stream: big enough that a bulk copy does not stop and start on every 64 KB frame. */
const BULK_HWM = 1024 * 1024;

interface Start {
  ext_id: string;
  socket: string;
  target: unknown;
  key?: string;
  agent_sock?: string;
  idle_s: number;
}

async function readStdin(): Promise<string> {
  let text = '';
  for await (const d of process.stdin) text += String(d);
  return text;
}

export async function runMuxAgent(): Promise<void> {
  const start = JSON.parse(await readStdin()) as Start;
  const target = SshTarget.parse(start.target);
  const secrets = new Map<string, string>(start.key ? [['ssh_key', start.key]] : []);
  const life = new AbortController();
  let s: SshSession;
  try {
    s = await SshSession.open({
      extId: start.ext_id,
      target,
      secrets,
      env: start.agent_sock ? { SSH_AUTH_SOCK: start.agent_sock } : {},
      log: silentLogger,
      signal: life.signal,
    });
  } catch (err) {
    const e = err instanceof SandboxerError ? err : undefined;
    if (e && !e.retryable) {
      const message = e.message.replace(`${start.ext_id}: `, '');
      process.stdout.write(`refused ${JSON.stringify({ message, hint: e.hint })}\n`);
    }
    process.exit(1);
  }
  delete start.key;
  secrets.clear();

  let active = 0;
  let idle: NodeJS.Timeout | undefined;
  let ino = 0;
  const server = createServer({ highWaterMark: BULK_HWM }, (sock) => {
    active++;
    clearTimeout(idle);
    serve(s, sock, start.ext_id, shutdown);
    sock.on('close', () => {
      active--;
      arm();
    });
  });
  const arm = () => {
    clearTimeout(idle);
    if (active === 0) idle = setTimeout(shutdown, start.idle_s * 1000);
  };
  function shutdown(): void {
    server.close();
    try {
      // Only our own socket: a newer agent may have taken the path.
      if (statSync(start.socket).ino === ino) unlinkSync(start.socket);
    } catch {
      // already gone
    }
    s.close();
    setTimeout(() => process.exit(0), 200).unref();
  }
  s.onClose(shutdown);
  // Listen on a private name, then move it into place: two agents started at once never collide, the last one
  // wins the path and the other goes idle.
  const temp = `${start.socket}.${process.pid}`;
  await new Promise<void>((resolve, reject) => server.listen(temp, resolve).once('error', reject));
  ino = statSync(temp).ino;
  renameSync(temp, start.socket);
  arm();
  process.stdout.write('ready\n');
  process.stdout.end();
}

/** One caller's command: hello (the host key), then EXEC with its stdin, output and the exit back. */
function serve(s: SshSession, sock: Socket, extId: string, quit: () => void): void {
  sock.on('error', () => undefined);
  sock.write(frame(Frame.hello, { v: MUX_PROTOCOL, host_key: s.hostKey.toString('base64') }));
  const cancel = new AbortController();
  const stdin = new PassThrough({ highWaterMark: BULK_HWM });
  let started = false;
  sock.on('close', () => {
    cancel.abort();
    stdin.destroy();
  });
  readFrames(sock, (type, body) => {
    if (type === Frame.exec && !started) {
      started = true;
      const req = json<ExecRequest>(body);
      if (req.local_tar === undefined) return run(s, sock, extId, req, stdin, cancel.signal);
      const src = parseLocalTarSource(req.local_tar);
      if (!src) return sock.destroy();
      // Opened once the channel reads it, so a tar that fails at once still fails the upload.
      const tar = new LocalTarStream(src, (bytes, done) => {
        if (!sock.destroyed) sock.write(frame(Frame.sent, { bytes, done }));
      });
      sock.on('close', () => tar.destroy());
      run(s, sock, extId, req, tar, cancel.signal);
    } else if (type === Frame.stdin) {
      if (!stdin.write(body)) {
        sock.pause();
        stdin.once('drain', () => sock.resume());
      }
    } else if (type === Frame.stdinEnd) stdin.end();
    else if (type === Frame.close) cancel.abort();
    else if (type === Frame.quit) quit();
    else sock.destroy();
  });
}

interface ExecRequest {
  command: string;
  stdin: boolean;
  /** A local tar this agent runs itself as the command's stdin (the CLI's `cp SRC ID:DST`). */
  local_tar?: unknown;
}

function run(
  s: SshSession,
  sock: Socket,
  extId: string,
  req: ExecRequest,
  stdin: Readable,
  signal: AbortSignal,
): void {
  // stdout keeps the channel's backpressure: the channel waits while the caller's socket is full.
  const out = new Writable({
    highWaterMark: BULK_HWM,
    write(chunk: Buffer, _enc, cb) {
      if (sock.destroyed) return cb();
      if (writeFrame(sock, Frame.stdout, chunk)) cb();
      else sock.once('drain', () => cb());
    },
  });
  s.stream(req.command, {
    ...(req.stdin ? { stdin } : {}),
    signal,
    stdout: () => undefined,
    stdoutTo: out,
    stderr: (d) => !sock.destroyed && sock.write(frame(Frame.stderr, d)),
  })
    // The exit goes after the last of stdout.
    .then((r) => out.end(() => sock.end(frame(Frame.exit, r))))
    .catch((err: unknown) => {
      const e = err instanceof BackendError ? err : undefined;
      const message = (err as Error).message.replace(`${extId}: `, '');
      sock.end(frame(Frame.error, { message, retryable: e?.retryable ?? false }));
    });
}
