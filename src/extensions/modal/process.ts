import { randomBytes } from 'node:crypto';
import { abortable } from '../cloud-common.ts';
import type { ModalExecParams, ModalProcessRef, ModalSandboxRef } from './api.ts';

/**
 * One command in a Modal sandbox, bounded by timers of our own. Modal's SDK has no way to kill an exec'd process
 * (a `ContainerProcess` has stdin/stdout/stderr and `wait()`, nothing else), so every process we start carries
 * a unique marker in its environment (inherited by its children), and ending it means a second exec that signals
 * every process whose environment holds the marker: TERM, then KILL after a grace. The argv itself runs as given
 * (no wrapper shell), and Modal's own exec timeout is set a little past our bound as a backstop.
 */
export const EXEC_MARKER = 'SANDBOXER_EXEC_ID';

/** $1 = the marker line (NAME=value), $2 = the signal. Reads /proc/PID/environ (NUL-separated) of each process. */
const KILL_SCRIPT =
  `for d in /proc/[0-9]*; do ` +
  `if tr '\\000' '\\n' <"$d/environ" 2>/dev/null | grep -qxF -- "$1"; then kill -s "$2" "\${d#/proc/}" 2>/dev/null; fi; ` +
  `done; exit 0`;

/** How long a signalled process gets to exit, and a kill exec to answer, before we stop waiting. */
const GRACE_MS = 3000;
/** Modal's own timeout is our bound plus this (it fires only if our kill could not). */
const BACKSTOP_S = 10;

export interface RunOptions {
  workdir?: string;
  env?: Record<string, string>;
  /** Written to stdin, which is then closed (also when absent, so a command reading stdin sees EOF). */
  stdin?: Uint8Array | AsyncIterable<unknown>;
  /** The stdin stream must be delivered whole (a tar being extracted): a read error ends the process. */
  stdinRequired?: boolean;
  timeout_ms?: number;
  signal: AbortSignal;
  stdout(chunk: Buffer): void | Promise<void>;
  stderr(chunk: Buffer): void | Promise<void>;
}

export interface RunResult {
  exit_code: number;
  timed_out?: boolean;
  cancelled?: boolean;
  signal?: string;
}

type Exit = { code: number } | { err: unknown };

/** Resolves with the value, or undefined after `ms` (the timer does not keep the process alive). */
function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
    timer.unref();
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

function pump(stream: ReadableStream<Uint8Array>, sink: (c: Buffer) => void | Promise<void>) {
  const reader = stream.getReader();
  const done = (async () => {
    for (;;) {
      const { value, done: end } = await reader.read();
      if (end) return;
      if (value.byteLength > 0) await sink(Buffer.from(value));
    }
  })();
  done.catch(() => undefined);
  return { done, cancel: () => void reader.cancel().catch(() => undefined) };
}

/** Our side of stdin failed (the local stream), as opposed to the process no longer reading it. */
class SourceError {
  constructor(readonly cause: unknown) {}
}

async function feed(stdin: WritableStream<Uint8Array>, data: RunOptions['stdin']): Promise<void> {
  const w = stdin.getWriter();
  if (data instanceof Uint8Array) {
    if (data.byteLength > 0) await w.write(data);
  } else if (data) {
    const it = data[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<unknown>;
      try {
        next = await it.next();
      } catch (err) {
        void w.abort(err).catch(() => undefined); // no EOF: the command must not take a truncated stream as whole
        throw new SourceError(err);
      }
      if (next.done) break;
      const chunk = next.value;
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array);
      if (bytes.byteLength > 0) await w.write(bytes);
    }
  }
  await w.close();
}

/** Signal every process carrying `marker`; errors and a hung answer are swallowed (this is best effort). */
async function signalMarked(sb: ModalSandboxRef, marker: string, sig: 'TERM' | 'KILL'): Promise<void> {
  try {
    const p = await within(
      sb.exec(['sh', '-c', KILL_SCRIPT, 'sh', marker, sig], { mode: 'binary', timeoutMs: 10_000 }),
      GRACE_MS,
    );
    if (!p) return;
    void p.stdout.cancel().catch(() => undefined);
    void p.stderr.cancel().catch(() => undefined);
    void p.stdin.close().catch(() => undefined);
    await within(
      p.wait().catch(() => undefined),
      GRACE_MS,
    );
  } catch {
    // the sandbox may be gone; Modal's backstop timeout still ends the process
  }
}

export async function runProcess(sb: ModalSandboxRef, argv: string[], o: RunOptions): Promise<RunResult> {
  const marker = `${EXEC_MARKER}=${randomBytes(12).toString('hex')}`;
  const params: ModalExecParams = {
    mode: 'binary',
    env: { ...(o.env ?? {}), [EXEC_MARKER]: marker.slice(EXEC_MARKER.length + 1) },
    ...(o.workdir ? { workdir: o.workdir } : {}),
    ...(o.timeout_ms ? { timeoutMs: (Math.ceil(o.timeout_ms / 1000) + BACKSTOP_S) * 1000 } : {}),
  };
  let proc: ModalProcessRef;
  try {
    proc = await abortable(sb.exec(argv, params), o.signal);
  } catch (err) {
    // Cancelled while starting: the process may have started all the same.
    if (o.signal.aborted) await signalMarked(sb, marker, 'KILL');
    throw err;
  }
  const exited: Promise<Exit> = proc.wait().then(
    (code) => ({ code }),
    (err: unknown) => ({ err }),
  );
  const out = pump(proc.stdout, o.stdout);
  const err = pump(proc.stderr, o.stderr);

  let reason: 'timeout' | 'cancel' | undefined;
  let stdinError: unknown;
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const end = (why: 'timeout' | 'cancel') => {
    reason ??= why;
    stop();
  };
  feed(proc.stdin, o.stdin).catch((e: unknown) => {
    // A command may exit without reading its stdin (its exit code says why); only a failure of a required
    // local stream ends it.
    if (o.stdinRequired && e instanceof SourceError) {
      stdinError = e.cause;
      end('cancel');
    }
  });
  const timer = o.timeout_ms ? setTimeout(() => end('timeout'), o.timeout_ms) : undefined;
  const onAbort = () => end('cancel');
  o.signal.addEventListener('abort', onAbort, { once: true });
  if (o.signal.aborted) onAbort();

  try {
    const first = await Promise.race([exited, stopped.then(() => undefined)]);
    if (first && !reason) {
      if ('err' in first) {
        // We lost track of it (Modal failed the wait): end it rather than leave it running unobserved.
        await signalMarked(sb, marker, 'KILL');
        out.cancel();
        err.cancel();
        throw first.err;
      }
      // The output may still be in flight (a large tar read at the consumer's pace): drain it unless stopped.
      const drained = await Promise.race([
        Promise.all([out.done, err.done]).then(() => true),
        stopped.then(() => false),
      ]);
      if (!drained) {
        out.cancel();
        err.cancel();
      }
      return { exit_code: first.code };
    }
    let sig = 'SIGTERM';
    await signalMarked(sb, marker, 'TERM');
    let done = await within(exited, GRACE_MS);
    if (!done) {
      sig = 'SIGKILL';
      await signalMarked(sb, marker, 'KILL');
      done = await within(exited, GRACE_MS);
    }
    await within(
      Promise.all([out.done, err.done]).catch(() => undefined),
      GRACE_MS,
    );
    out.cancel();
    err.cancel();
    if (stdinError !== undefined) throw stdinError;
    const code = done && 'code' in done ? done.code : reason === 'timeout' ? 124 : 130;
    return {
      exit_code: code,
      signal: sig,
      ...(reason === 'timeout' ? { timed_out: true } : { cancelled: true }),
    };
  } finally {
    clearTimeout(timer);
    o.signal.removeEventListener('abort', onAbort);
  }
}
