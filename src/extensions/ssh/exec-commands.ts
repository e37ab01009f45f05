import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { CancelledError, usageError } from '../../core/errors.ts';
import type { ExecRequest, ExecResult, OutputSink } from '../contract.ts';
import type { Place } from './place.ts';
import { args, sh, trusted } from './quote.ts';

/**
 * The remote command lines of an exec over SSH (in the workspace or in a container) and the run that ends them
 * on a timeout or a cancel. Nothing here opens a connection, so the CLI's warm exec path (cli/exec-route/)
 * loads it without ssh2.
 */
/** What runKillable needs of a session: an SshSession, or the warm exec path's agent link. */
export interface CommandRunner {
  stream(
    command: string,
    opts: {
      stdin?: ExecRequest['stdin'];
      signal?: AbortSignal;
      what?: string;
      stdout(d: Buffer): void;
      stderr(d: Buffer): void;
    },
  ): Promise<{ code: number; signal?: string }>;
  exec(
    command: string,
    opts?: { signal?: AbortSignal; what?: string },
  ): Promise<{ code: number; stdout: string; stderr: string }>;
}

/** A command's exit code and whole output (UTF-8), from a run that streams them. */
export async function collectOutput<O extends object>(
  stream: (
    command: string,
    opts: O & { stdout(d: Buffer): void; stderr(d: Buffer): void },
  ) => Promise<{ code: number }>,
  command: string,
  opts: O,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const r = await stream(command, { ...opts, stdout: (d) => out.push(d), stderr: (d) => err.push(d) });
  return {
    code: r.code,
    stdout: Buffer.concat(out).toString('utf8'),
    stderr: Buffer.concat(err).toString('utf8'),
  };
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

/**
 * Run cmd.run on an open session with its output streamed to out; at timeout_s or when ctx.signal aborts,
 * cmd.kill ends the remote process, and the channel is closed from our side if it has not closed a moment later.
 */
export async function runKillable(
  s: CommandRunner,
  ctx: { signal: AbortSignal },
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
