import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * envd, the daemon inside an E2B sandbox, as the `e2b` SDK reaches it through E2B_SANDBOX_URL: every request
 * names its sandbox in `E2b-Sandbox-Id`. Commands run for real (child_process) with the sandbox's temp directory
 * as the user's home; absolute paths are the host's.
 *
 * - `GET /health` (no token).
 * - Connect RPC, JSON codec (what the SDK's transport speaks): `process.Process/Start` (server stream, enveloped
 *   `application/connect+json`, start → data → end events, then the end-stream message), `SendInput`,
 *   `CloseStdin`, `SendSignal`, `List`; `filesystem.Filesystem/Stat`, `MakeDir`, `Remove`.
 * - `GET /files` (download, 404 missing, 400 directory), `POST /files` (octet-stream or multipart upload).
 *
 * As strict as envd: RPCs without the sandbox's `X-Access-Token` get envd's 401; /files needs the token too (or a
 * signature, which this fake does not accept); a cwd that does not exist is invalid_argument; the process gets
 * PATH, HOME, USER, LOGNAME, the sandbox's env vars and the request's envs, nothing else; the Connect-Timeout-Ms
 * deadline kills the process (0/absent = none) and a client that goes away does not.
 */
export interface EnvdSandbox {
  sandboxID: string;
  state: 'running' | 'paused';
  healthyAt: number;
  envdAccessToken: string;
  home: string;
  envVars: Record<string, string>;
}

export interface FakeProcess {
  pid: number;
  sandboxID: string;
  cmd: string;
  args: string[];
  child: ChildProcess;
  /** Set once the process has ended. */
  end?: { exitCode: number; signal: NodeJS.Signals | null };
}

type Fault = (op: 'health' | 'exec' | 'files', res: ServerResponse) => boolean;

const USERS = new Set(['user', 'root']);
const CONNECT_STATUS: Record<string, number> = {
  invalid_argument: 400,
  not_found: 404,
  already_exists: 409,
  unauthenticated: 401,
  unimplemented: 404,
  internal: 500,
  unavailable: 503,
};

class RpcError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class FakeEnvd {
  readonly processes = new Map<number, FakeProcess>();

  constructor(
    private readonly lookup: (id: string) => EnvdSandbox | undefined,
    private readonly fault: Fault,
  ) {}

  static handles(path: string): boolean {
    return (
      path === '/health' ||
      path === '/files' ||
      path.startsWith('/process.Process/') ||
      path.startsWith('/filesystem.Filesystem/')
    );
  }

  /** Kill whatever still runs in a sandbox (it was killed or expired). */
  reap(sandboxID: string): void {
    for (const p of this.processes.values()) {
      if (p.sandboxID === sandboxID && !p.end) p.child.kill('SIGKILL');
    }
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (path === '/health' && this.fault('health', res)) return;
    const sb = this.lookup(header(req, 'e2b-sandbox-id') ?? '');
    if (!sb || sb.state !== 'running' || Date.now() < sb.healthyAt) {
      return json(res, 502, { code: 502, message: 'The sandbox was not found or is not running' });
    }
    if (method === 'GET' && path === '/health') return void res.writeHead(204).end();
    if (path === '/files') return this.files(req, res, url, sb, method);
    if (header(req, 'x-access-token') !== sb.envdAccessToken) {
      return json(res, 401, {
        code: 401,
        message: 'unauthorized access, please provide a valid access token or method signing if supported',
      });
    }
    if (this.fault('exec', res)) return;
    if (method !== 'POST') return json(res, 405, { code: 405, message: 'method not allowed' });
    const user = basicUser(req);
    if (user !== undefined && !USERS.has(user)) {
      return rpcError(res, new RpcError('unauthenticated', `error looking up user '${user}'`));
    }
    if (path === '/process.Process/Start') return this.start(req, res, sb);
    if (header(req, 'content-type') !== 'application/json') {
      return json(res, 415, { code: 'invalid_argument', message: 'unsupported content type' });
    }
    try {
      const msg = JSON.parse((await body(req)).toString('utf8') || '{}') as Record<string, unknown>;
      json(res, 200, this.unary(path, msg, sb));
    } catch (err) {
      rpcError(res, err instanceof RpcError ? err : new RpcError('invalid_argument', String(err)));
    }
  }

  private unary(path: string, msg: Record<string, unknown>, sb: EnvdSandbox): unknown {
    const proc = () => {
      const pid = Number((msg.process as { pid?: unknown } | undefined)?.pid);
      const p = this.processes.get(pid);
      if (!p || p.sandboxID !== sb.sandboxID || p.end) {
        throw new RpcError('not_found', `process with pid ${pid} not found`);
      }
      return p;
    };
    const where = () => resolveIn(sb, String(msg.path ?? ''));
    switch (path) {
      case '/process.Process/SendInput': {
        const p = proc();
        const data = (msg.input as { stdin?: unknown } | undefined)?.stdin;
        if (typeof data !== 'string') throw new RpcError('invalid_argument', 'input.stdin is required');
        if (!p.child.stdin || p.child.stdin.writableEnded) {
          throw new RpcError('internal', 'stdin not enabled or closed');
        }
        p.child.stdin.write(Buffer.from(data, 'base64'));
        return {};
      }
      case '/process.Process/CloseStdin':
        proc().child.stdin?.end();
        return {};
      case '/process.Process/SendSignal': {
        const p = proc();
        const sig = { SIGNAL_SIGKILL: 'SIGKILL', 9: 'SIGKILL', SIGNAL_SIGTERM: 'SIGTERM', 15: 'SIGTERM' }[
          String(msg.signal)
        ] as NodeJS.Signals | undefined;
        if (!sig) throw new RpcError('invalid_argument', `invalid signal: ${String(msg.signal)}`);
        p.child.kill(sig);
        return {};
      }
      case '/process.Process/List':
        return {
          processes: [...this.processes.values()]
            .filter((p) => p.sandboxID === sb.sandboxID && !p.end)
            .map((p) => ({ pid: p.pid, config: { cmd: p.cmd, args: p.args } })),
        };
      case '/filesystem.Filesystem/Stat': {
        const p = where();
        if (!existsSync(p)) throw new RpcError('not_found', `file not found: ${p}`);
        return { entry: entry(p) };
      }
      case '/filesystem.Filesystem/MakeDir': {
        const p = where();
        if (existsSync(p)) {
          if (statSync(p).isDirectory())
            throw new RpcError('already_exists', `directory already exists: ${p}`);
          throw new RpcError('invalid_argument', `path already exists but it is not a directory: ${p}`);
        }
        mkdirSync(p, { recursive: true });
        return { entry: entry(p) };
      }
      case '/filesystem.Filesystem/Remove':
        rmSync(where(), { recursive: true, force: true });
        return {};
    }
    throw new RpcError('unimplemented', `${path} is not implemented`);
  }

  private async start(req: IncomingMessage, res: ServerResponse, sb: EnvdSandbox): Promise<void> {
    if (header(req, 'content-type') !== 'application/connect+json') {
      return json(res, 415, { code: 'invalid_argument', message: 'unsupported content type' });
    }
    const raw = await body(req);
    const len = raw.length >= 5 ? raw.readUInt32BE(1) : -1;
    if (len < 0 || raw.length !== 5 + len || raw[0] !== 0) {
      return json(res, 400, { code: 'invalid_argument', message: 'protocol error: bad envelope' });
    }
    const msg = JSON.parse(raw.subarray(5).toString('utf8')) as {
      process?: { cmd?: string; args?: string[]; envs?: Record<string, string>; cwd?: string };
      stdin?: boolean;
    };
    const timeoutMs = Number(header(req, 'connect-timeout-ms') ?? 0);
    res.writeHead(200, { 'content-type': 'application/connect+json' });
    const send = (flags: number, value: unknown) => {
      const data = Buffer.from(JSON.stringify(value), 'utf8');
      const head = Buffer.alloc(5);
      head[0] = flags;
      head.writeUInt32BE(data.length, 1);
      if (!res.writableEnded && !res.destroyed) res.write(Buffer.concat([head, data]));
    };
    const finish = (error?: RpcError) => {
      send(2, error ? { error: { code: error.code, message: error.message } } : {});
      res.end();
    };
    const cmd = msg.process?.cmd;
    if (!cmd) return finish(new RpcError('invalid_argument', 'process.cmd is required'));
    const cwd = resolveIn(sb, msg.process?.cwd ?? '');
    if (!existsSync(cwd)) return finish(new RpcError('invalid_argument', `cwd '${cwd}' does not exist`));
    const child = spawn(cmd, msg.process?.args ?? [], {
      cwd,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: sb.home,
        USER: 'user',
        LOGNAME: 'user',
        ...sb.envVars,
        ...(msg.process?.envs ?? {}),
      },
      stdio: [msg.stdin === false ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    child.stdin?.on('error', () => undefined);
    child.once('error', (err) => finish(new RpcError('invalid_argument', `error starting process: ${err}`)));
    child.once('spawn', () => {
      const pid = child.pid!;
      const p: FakeProcess = { pid, sandboxID: sb.sandboxID, cmd, args: msg.process?.args ?? [], child };
      this.processes.set(pid, p);
      send(0, { event: { start: { pid } } });
      const deadline = timeoutMs > 0 ? setTimeout(() => child.kill('SIGKILL'), timeoutMs) : undefined;
      child.stdout!.on('data', (c: Buffer) => send(0, { event: { data: { stdout: c.toString('base64') } } }));
      child.stderr!.on('data', (c: Buffer) => send(0, { event: { data: { stderr: c.toString('base64') } } }));
      let done = false;
      const end = (code: number | null, signal: NodeJS.Signals | null) => {
        if (done) return;
        done = true;
        if (deadline) clearTimeout(deadline);
        p.end = { exitCode: code ?? -1, signal };
        // Go's ProcessState: "exit status 3" / "signal: killed"; error set unless it exited 0.
        const status = signal
          ? `signal: ${signal === 'SIGKILL' ? 'killed' : 'terminated'}`
          : `exit status ${code}`;
        send(0, {
          event: {
            end: {
              exitCode: code ?? -1,
              exited: signal === null,
              status,
              ...(code === 0 ? {} : { error: status }),
            },
          },
        });
        finish();
      };
      child.once('close', end);
      // envd closes the pipes once the process itself is gone, even if an orphan still holds them.
      child.once('exit', (code, signal) => setTimeout(() => end(code, signal), 200).unref());
    });
  }

  private async files(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    sb: EnvdSandbox,
    method: string,
  ): Promise<void> {
    const token = header(req, 'x-access-token');
    if (token !== undefined && token !== sb.envdAccessToken) {
      return json(res, 401, { code: 401, message: 'access token present in header but does not match' });
    }
    if (token === undefined) {
      const message = url.searchParams.has('signature')
        ? 'invalid signature'
        : 'missing signature query parameter';
      return json(res, 401, { code: 401, message });
    }
    if (this.fault('files', res)) return;
    const user = url.searchParams.get('username');
    if (user !== null && !USERS.has(user)) {
      return json(res, 401, { code: 401, message: `error looking up user '${user}'` });
    }
    const param = url.searchParams.get('path');
    if (method === 'GET') {
      const p = resolveIn(sb, param ?? '');
      if (!existsSync(p)) return json(res, 404, { code: 404, message: `path '${p}' does not exist` });
      const st = statSync(p);
      if (st.isDirectory()) return json(res, 400, { code: 400, message: `path '${p}' is a directory` });
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(st.size) });
      return pipeline(createReadStream(p), res);
    }
    if (method !== 'POST') return json(res, 405, { code: 405, message: 'method not allowed' });
    const type = (header(req, 'content-type') ?? '').split(';')[0]!.trim();
    const written: { path: string; name: string; type: 'file' }[] = [];
    const write = async (target: string, src: NodeJS.ReadableStream) => {
      if (existsSync(target) && statSync(target).isDirectory()) {
        throw Object.assign(new Error(`path is a directory: ${target}`), { status: 400 });
      }
      mkdirSync(dirname(target), { recursive: true });
      await pipeline(src, createWriteStream(target));
      written.push({ path: target, name: basename(target), type: 'file' });
    };
    try {
      if (type === 'application/octet-stream') {
        if (param === null) return json(res, 400, { code: 400, message: 'path query parameter is required' });
        await write(resolveIn(sb, param), req);
      } else if (type.startsWith('multipart/')) {
        const form = await new Request('http://envd/files', {
          method: 'POST',
          headers: { 'content-type': header(req, 'content-type')! },
          body: await body(req),
        }).formData();
        for (const part of form.getAll('file')) {
          if (typeof part === 'string') continue;
          const target = resolveIn(sb, param ?? part.name);
          if (written.some((w) => w.path === target)) {
            return json(res, 400, { code: 400, message: `you cannot upload multiple files to '${target}'` });
          }
          await write(target, Readable.from(Buffer.from(await part.arrayBuffer())));
        }
      } else {
        return json(res, 400, { code: 400, message: `unsupported content type: ${type}` });
      }
    } catch (err) {
      const status = (err as { status?: number }).status ?? 500;
      return json(res, status, { code: status, message: String((err as Error).message) });
    }
    json(res, 200, written);
  }
}

/** envd's ExpandAndResolve: `~` and relative paths are under the user's home; absolute ones are taken as they are. */
function resolveIn(sb: EnvdSandbox, path: string): string {
  const p = path === '' ? sb.home : path.startsWith('~') ? join(sb.home, path.slice(1)) : path;
  return isAbsolute(p) ? p : resolve(sb.home, p);
}

function entry(p: string) {
  const st = statSync(p);
  return {
    name: basename(p),
    type: st.isDirectory() ? 'FILE_TYPE_DIRECTORY' : 'FILE_TYPE_FILE',
    path: p,
    size: String(st.size),
    mode: st.mode & 0o777,
  };
}

function basicUser(req: IncomingMessage): string | undefined {
  const auth = header(req, 'authorization');
  if (!auth?.startsWith('Basic ')) return undefined;
  return Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':')[0];
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function json(res: ServerResponse, status: number, value: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
}

function rpcError(res: ServerResponse, err: RpcError): void {
  json(res, CONNECT_STATUS[err.code] ?? 500, { code: err.code, message: err.message });
}
