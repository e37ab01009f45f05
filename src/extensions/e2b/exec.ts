import type { Sandbox } from 'e2b';
import { abortError } from '../../core/deadline.ts';
import type { AccessContext, ExecRequest, ExecResult, OutputSink } from '../contract.ts';
import { args, sh } from '../ssh/quote.ts';
import type { E2bCall } from './sdk.ts';

/**
 * exec on E2B through envd's process service (`sandbox.commands`).
 *
 * - The SDK always runs `/bin/bash -l -c <string>`, so the request becomes one string: argv quoted word by word
 *   (nothing in it is interpreted), a shell line as `sh -c '<line>'`. Either is exec'ed under `setsid -w` where
 *   the image has it, so the command leads its own process group and a kill reaches everything it started.
 * - stdin: started with `stdin: true`, the bytes sent (`sendStdin`, 64 KiB per call), then closed (`closeStdin`,
 *   envd >= 0.5.2). Without stdin the command reads /dev/null.
 * - Output: the SDK hands stdout/stderr over as UTF-8 text (invalid bytes become U+FFFD); each chunk is passed on.
 * - Bounds: envd ends a command at its Connect deadline even when we are gone, so `timeout_s` goes to envd as the
 *   deadline plus a margin (0 = none without timeout_s), and our own timer kills the group at `timeout_s`.
 *   An abort of ctx.signal kills the group as well and rejects with `cancelled`.
 * - A non-zero exit is a result, not an error (the SDK's CommandExitError carries the code). A command ended by a
 *   signal reports 128 + the signal number, like a shell.
 */
const STDIN_CHUNK = 64 * 1024;
/** envd's own deadline is this much after ours, a backstop when our kill never arrives. */
const BACKSTOP_S = 30;
/** After a kill, how long to wait for envd's end event before giving up on it. */
const KILL_GRACE_MS = 10_000;

/** Go's ProcessState strings ("signal: killed") → signal name and number. */
const GO_SIGNALS: Record<string, [string, number]> = {
  hangup: ['SIGHUP', 1],
  interrupt: ['SIGINT', 2],
  quit: ['SIGQUIT', 3],
  aborted: ['SIGABRT', 6],
  killed: ['SIGKILL', 9],
  'segmentation fault': ['SIGSEGV', 11],
  'broken pipe': ['SIGPIPE', 13],
  terminated: ['SIGTERM', 15],
};

/** The one string handed to the SDK's `bash -l -c`. */
export function commandLine(req: Pick<ExecRequest, 'argv' | 'shell'>): string {
  const run = req.argv ? args(req.argv).text : sh`sh -c ${req.shell ?? ''}`;
  // `--`: a program whose name starts with '-' is not taken for an option of setsid or exec.
  return `if command -v setsid >/dev/null 2>&1; then exec setsid -w -- ${run}; else exec -- ${run}; fi`;
}

interface Ended {
  exitCode: number;
  error?: string | undefined;
}
const KILLED: Ended = { exitCode: -1, error: 'signal: killed' };

function result(end: Ended, timedOut: boolean): ExecResult {
  const sig = /^signal: (.+)$/.exec(end.error ?? '')?.[1];
  const known = sig ? GO_SIGNALS[sig] : undefined;
  const base: ExecResult =
    end.exitCode >= 0 && !sig
      ? { exit_code: end.exitCode }
      : { exit_code: 128 + (known?.[1] ?? 9), signal: known?.[0] ?? 'SIGKILL' };
  return timedOut ? { ...base, timed_out: true } : base;
}

/** Kill the command's process group (setsid made it its leader) and the process itself. */
async function killTree(sb: Sandbox, pid: number): Promise<void> {
  const sent = Promise.allSettled([
    sb.commands.run(`kill -KILL -- -${pid} 2>/dev/null; true`, { timeoutMs: 15_000 }),
    sb.commands.kill(pid),
  ]);
  // Bounded by a timer of our own: the SDK's request timeouts may never fire after a GC.
  await within(sent, KILL_GRACE_MS);
}

/** `promise`, or nothing after `ms`; the timer goes with whichever comes first (it never holds the process). */
function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.then(() => undefined),
    new Promise<void>((resolve) => (t = setTimeout(resolve, ms))),
  ]).finally(() => clearTimeout(t));
}

export function execOn(
  call: E2bCall,
  ctx: AccessContext,
  sb: Sandbox,
  req: ExecRequest,
  out: OutputSink,
): Promise<ExecResult> {
  // One mapped call, not raced: an abort kills the command before exec settles (see below).
  return call(
    ctx,
    'exec',
    async () => {
      const hasStdin = req.stdin !== undefined;
      const handle = await sb.commands.run(commandLine(req), {
        background: true,
        ...(req.cwd ? { cwd: req.cwd } : {}),
        envs: req.env ?? {},
        ...(hasStdin ? { stdin: true } : {}),
        timeoutMs: req.timeout_s ? (req.timeout_s + BACKSTOP_S) * 1000 : 0,
        onStdout: (s: string) => out.stdout(Buffer.from(s, 'utf8')),
        onStderr: (s: string) => out.stderr(Buffer.from(s, 'utf8')),
      });
      const pid = handle.pid;
      let ended = false;
      let reason: 'timeout' | 'cancel' | 'stdin' | undefined;
      let stdinError: Error | undefined;
      let timer: NodeJS.Timeout | undefined;
      let grace: NodeJS.Timeout | undefined;
      let settled = false;
      let killed: Promise<void> = Promise.resolve();
      let onAbort = () => {};
      try {
        const outcome = await new Promise<Ended | 'cancelled'>((resolve, reject) => {
          const stop = (why: 'timeout' | 'cancel') => {
            if (reason || ended) return;
            reason = why;
            killed = killTree(sb, pid);
            if (why === 'cancel') void killed.then(() => resolve('cancelled'));
            // A kill that never produced an end event does not keep the caller waiting.
            else
              void killed.then(() => {
                if (!settled) grace = setTimeout(() => resolve(KILLED), KILL_GRACE_MS);
              });
          };
          handle.wait().then(
            (r) => {
              ended = true;
              resolve(r);
            },
            (e: unknown) => {
              ended = true;
              if ((e as { name?: unknown }).name === 'CommandExitError') resolve(e as Ended);
              // The stream broke while we were killing the command: it timed out (or was cancelled) all the same.
              else if (reason) resolve(KILLED);
              else reject(e instanceof Error ? e : new Error(String(e)));
            },
          );
          onAbort = () => stop('cancel');
          ctx.signal.addEventListener('abort', onAbort, { once: true });
          if (ctx.signal.aborted) onAbort();
          if (req.timeout_s) timer = setTimeout(() => stop('timeout'), req.timeout_s * 1000);
          // Feed stdin while the command runs; a command that exits without reading it all is not an error.
          if (hasStdin) {
            feed(sb, pid, req.stdin!).catch((err: unknown) => {
              if (ended || reason) return;
              // The command would wait for the rest of its input forever: end it, report why.
              reason = 'stdin';
              stdinError = err instanceof Error ? err : new Error(String(err));
              killed = killTree(sb, pid);
              void killed.then(() => reject(stdinError));
            });
          }
        });
        // Cancelled is cancelled, whichever came first (envd's end event or our kill's answer).
        if (reason === 'cancel' || reason === 'stdin') await killed;
        if (stdinError) throw stdinError;
        if (outcome === 'cancelled' || reason === 'cancel')
          throw abortError(ctx.signal, `${ctx.manifest.id}: exec (the command was killed)`);
        return result(outcome, reason === 'timeout');
      } finally {
        settled = true;
        clearTimeout(timer);
        clearTimeout(grace);
        ctx.signal.removeEventListener('abort', onAbort);
        if (!ended) await handle.disconnect();
      }
    },
    { race: false },
  );
}

async function feed(sb: Sandbox, pid: number, stdin: Buffer | string): Promise<void> {
  const bytes = typeof stdin === 'string' ? Buffer.from(stdin, 'utf8') : stdin;
  for (let at = 0; at < bytes.length; at += STDIN_CHUNK) {
    await sb.commands.sendStdin(pid, bytes.subarray(at, at + STDIN_CHUNK));
  }
  await sb.commands.closeStdin(pid);
}
