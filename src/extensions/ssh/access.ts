import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { BackendError, CancelledError, usageError } from '../../core/errors.ts';
import type { AccessContext, ExecRequest, ExecResult, OutputSink } from '../contract.ts';
import { failureText, sessionOptions, SshSession } from './connection.ts';
import { args, sh, trusted, type QuotedArgs } from './quote.ts';
import type { SshTarget } from './target.ts';

/**
 * exec and files over SSH, shared by ext.compose-ssh (in the workspace or in a service container) and
 * ext.vm-packer (in the workspace). Every value reaches the remote shell quoted; the command runs under a tiny
 * `sh` wrapper that records its pid, so a timeout or a cancel can end the remote process (closing an SSH
 * channel does not), then the channel closes with the command's own exit code.
 */
export interface Place {
  /** Host directory relative paths resolve against (the workspace). */
  workspace: string;
  /** Run inside this container (`<engine> exec`), not on the host. */
  container?: { engine: readonly string[]; id: string | QuotedArgs };
  /** Shell run first on the host (e.g. finding the container and setting $C), in the same round trip. */
  prelude?: string;
}

const ENV_KEY_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const WRAP = 'echo $$ >"$0" || exit 126; exec "$@"';
/** After a kill, how long the channel may take to close before it is closed from our side. */
const KILL_GRACE_MS = 5000;

/** A remote path: absolute, or relative to the workspace on the host. NUL and newlines are refused. */
export function remotePath(p: string, place: Place, what = 'path'): string {
  if (!p || /[\0\n\r]/.test(p))
    throw usageError(`${what} '${p.slice(0, 80)}' is empty or holds a control character`);
  if (p.startsWith('/')) return posix.normalize(p);
  if (place.container)
    throw usageError(`${what} '${p}' must be absolute inside a container`, 'e.g. /app/out');
  return posix.join(place.workspace, p);
}

function envArgs(env: Record<string, string> | undefined): string[] {
  return Object.entries(env ?? {}).map(([k, v]) => {
    if (!ENV_KEY_RE.test(k)) throw usageError(`environment variable name '${k.slice(0, 80)}' is not valid`);
    return `${k}=${v}`;
  });
}

/**
 * The shell that ends the process whose wrapper wrote its pid to `pidfile` (waiting up to 3 s for the file):
 * TERM, up to 2 s to exit, then KILL. `group`: the whole process group it leads, falling back to the process.
 */
function killByPidfile(pidfile: string, group: boolean): string {
  const kill = (sig: 'TERM' | 'KILL') =>
    trusted(
      group
        ? `kill -${sig} -- "-$pid" 2>/dev/null || kill -${sig} "$pid" 2>/dev/null`
        : `kill -${sig} "$pid" 2>/dev/null`,
    );
  return sh`p=${pidfile}; i=0; while [ ! -s "$p" ] && [ $i -lt 30 ]; do sleep 0.1; i=$((i+1)); done; pid=$(cat "$p" 2>/dev/null) || exit 0; ${kill('TERM')}; i=0; while kill -0 "$pid" 2>/dev/null && [ $i -lt 20 ]; do sleep 0.1; i=$((i+1)); done; ${kill('KILL')}; rm -f "$p"`;
}

/** The remote command line of an exec, and the one that ends it. */
export function execCommands(req: ExecRequest, place: Place): { run: string; kill: string } {
  const argv = req.shell !== undefined ? ['sh', '-c', req.shell] : req.argv!;
  const pidfile = `/tmp/.sandboxer-exec-${randomBytes(8).toString('hex')}`;
  const env = envArgs(req.env);
  const killScript = killByPidfile(pidfile, false);
  if (place.container) {
    const cwd = req.cwd !== undefined ? remotePath(req.cwd, place, 'cwd') : undefined;
    const engine = args(place.container.engine);
    const flags = [...(cwd ? ['-w', cwd] : []), ...env.flatMap((e) => ['-e', e])];
    const pre = place.prelude ? `${place.prelude}\n` : '';
    return {
      run:
        pre +
        sh`${engine} exec -i ${args(flags)} ${place.container.id} sh -c ${WRAP} ${pidfile} ${args(argv)}`,
      kill: pre + sh`${engine} exec ${place.container.id} sh -c ${killScript}`,
    };
  }
  const cwd = remotePath(req.cwd ?? '.', place, 'cwd');
  return {
    run: sh`cd -- ${cwd} || exit 126; env ${args(env)} sh -c ${WRAP} ${pidfile} ${args(argv)}; rc=$?; rm -f ${pidfile}; exit $rc`,
    kill: killScript,
  };
}

/** A one-off signal that aborts after `ms` (our own timer: AbortSignal.timeout may never fire after a GC). */
function timeoutSignal(ms: number): { signal: AbortSignal; clear(): void } {
  const c = new AbortController();
  const t = setTimeout(() => c.abort(), ms);
  return { signal: c.signal, clear: () => clearTimeout(t) };
}

/**
 * A command run on the host in a process group of its own (`setsid`, where the host has a `setsid -w`), and the
 * command that ends the whole group: what a long follow (`logs -f`, each service's pipe) needs, since closing
 * the SSH channel leaves remote processes running until they next write.
 */
export function groupCommands(command: string): { run: string; kill: string } {
  const pidfile = `/tmp/.sandboxer-group-${randomBytes(8).toString('hex')}`;
  const inner = 'echo $$ >"$0" || exit 126; exec sh -c "$1"';
  return {
    run: sh`if setsid -w true 2>/dev/null; then setsid -w sh -c ${inner} ${pidfile} ${command}; else sh -c ${inner} ${pidfile} ${command}; fi; rc=$?; rm -f ${pidfile}; exit $rc`,
    kill: killByPidfile(pidfile, true),
  };
}

/** Run req on an open session: output streamed to out, the exit code returned; timeout and cancel end it. */
export function execOver(
  s: SshSession,
  ctx: AccessContext,
  req: ExecRequest,
  place: Place,
  out: OutputSink,
): Promise<ExecResult> {
  return runKillable(s, ctx, execCommands(req, place), req, out);
}

/**
 * Run cmd.run on an open session with its output streamed to out; at timeout_s or when ctx.signal aborts,
 * cmd.kill ends the remote process, and the channel is closed from our side if it has not closed a moment later.
 */
export async function runKillable(
  s: SshSession,
  ctx: AccessContext,
  cmd: { run: string; kill: string },
  req: { stdin?: ExecRequest['stdin']; timeout_s?: number | undefined },
  out: OutputSink,
): Promise<ExecResult> {
  const closeChannel = new AbortController();
  let ending: 'timeout' | 'cancel' | undefined;
  let grace: NodeJS.Timeout | undefined;
  const end = (why: 'timeout' | 'cancel') => {
    if (ending) return;
    ending = why;
    const bound = timeoutSignal(KILL_GRACE_MS * 2);
    void s
      .exec(cmd.kill, { signal: bound.signal, what: 'ending the command' })
      .catch(() => undefined)
      .finally(bound.clear);
    grace = setTimeout(() => closeChannel.abort(), KILL_GRACE_MS);
  };
  const timer = req.timeout_s ? setTimeout(() => end('timeout'), req.timeout_s * 1000) : undefined;
  const onAbort = () => end('cancel');
  if (ctx.signal.aborted) throw new CancelledError();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const r = await s
      .stream(cmd.run, {
        ...(req.stdin !== undefined ? { stdin: req.stdin } : {}),
        signal: closeChannel.signal,
        what: 'exec',
        stdout: (d) => out.stdout(d),
        stderr: (d) => out.stderr(d),
      })
      .catch((err: unknown) => {
        if (err instanceof CancelledError && ending === 'timeout') return { code: 124 };
        throw err;
      });
    if (ending === 'cancel') throw new CancelledError();
    return {
      exit_code: r.code,
      ...('signal' in r && r.signal ? { signal: r.signal } : {}),
      ...(ending === 'timeout' ? { timed_out: true } : {}),
    };
  } finally {
    clearTimeout(timer);
    clearTimeout(grace);
    ctx.signal.removeEventListener('abort', onAbort);
  }
}

/** Extract a tar stream at dest (created if missing), on the host or in the container. */
export function putCommand(dest: string, place: Place): string {
  if (place.container) {
    const engine = args(place.container.engine);
    const id = place.container.id;
    const to = typeof id === 'string' ? sh`${`${id}:${dest}`}` : `${id.text}:${sh`${dest}`}`;
    return `${place.prelude ?? ':'}\n` + sh`${engine} exec ${id} mkdir -p -- ${dest} && ${engine} cp - ` + to;
  }
  return sh`mkdir -p -- ${dest} && tar -xf - -C ${dest}`;
}

/** A tar of path (file or directory) on stdout, its entries relative to path's parent. */
export function getCommand(path: string, place: Place): string {
  if (place.container) {
    const id = place.container.id;
    const from = typeof id === 'string' ? sh`${`${id}:${path}`}` : `${id.text}:${sh`${path}`}`;
    return `${place.prelude ?? ':'}\n` + sh`${args(place.container.engine)} cp ` + from + ' -';
  }
  const parent = posix.dirname(path);
  const base = posix.basename(path);
  return sh`test -e ${path} || { echo ${`no such file or directory: ${path}`} >&2; exit 2; }; tar -cf - -C ${parent} -- ${base}`;
}

/** Send a tar stream to `command`'s stdin; a non-zero exit becomes a BackendError with what it said. */
export async function putOver(
  s: SshSession,
  ctx: AccessContext,
  command: string,
  tar: NodeJS.ReadableStream,
): Promise<void> {
  const err: Buffer[] = [];
  const r = await s.stream(command, {
    stdin: tar as Readable,
    what: 'files in',
    stdout: () => undefined,
    stderr: (d) => err.push(d),
  });
  if (r.code !== 0) {
    throw new BackendError(
      ctx.manifest.id,
      `copying files in failed (exit ${r.code}): ${failureText(Buffer.concat(err).toString('utf8'))}`,
      {
        retryable: false,
      },
    );
  }
}

/**
 * A tar stream of `command`'s stdout on a session of its own, closed when the stream ends; a non-zero exit
 * errors the stream with what the command said.
 */
export async function getOver(ctx: AccessContext, target: SshTarget, command: string): Promise<Readable> {
  const s = await SshSession.open(sessionOptions(ctx, target, { mux: true }));
  const tar = new PassThrough();
  const err: Buffer[] = [];
  s.stream(command, {
    what: 'files out',
    stdout: () => undefined,
    stdoutTo: tar,
    stderr: (d) => err.push(d),
  })
    .then((r) => {
      if (r.code === 0) tar.end();
      else
        tar.destroy(
          new BackendError(
            ctx.manifest.id,
            `copying files out failed (exit ${r.code}): ${failureText(Buffer.concat(err).toString('utf8'))}`,
            { retryable: false, ...(r.code === 2 ? { status: 404 } : {}) },
          ),
        );
    })
    .catch((e: unknown) => tar.destroy(e as Error))
    .finally(() => s.close());
  return tar;
}
