import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PortSpec } from '../../catalog/schema.ts';
import { parseDurationSeconds } from '../../core/duration.ts';
import { BackendError, CancelledError, SandboxerError, usageError } from '../../core/errors.ts';
import type { Handle, SandboxRecord } from '../../core/record.ts';
import { abortable } from '../cloud-common.ts';
import type { AccessContext, AccessMethods, Endpoint, ExtensionContext } from '../contract.ts';
import type { ModalApi, ModalLogEntry, ModalSandboxRef } from './api.ts';
import { runProcess } from './process.ts';

/**
 * Using a live Modal sandbox: tunnels as endpoints, exec, the main process's logs, and files as tar streams.
 *
 * Files go through `tar` run by exec (`tar -x` fed on stdin, `tar -c` read from stdout) rather than the SDK's
 * `sandbox.filesystem`: that API copies one file at a time through local paths (no directories, no streaming, a
 * read size limit), while one tar exec streams a whole tree with its modes in one round trip, with our bounds
 * and cancellation. It needs `tar` and `sh` in the image, as every common base image has.
 */
export interface ModalSession {
  api: ModalApi;
  close(): void;
  /** What Modal threw as a SandboxerError (secrets scrubbed, a cancelled caller wins). */
  fail(err: unknown): SandboxerError;
}
export type OpenSession = (ctx: ExtensionContext, op: string) => Promise<ModalSession>;

/** Single-container backend: the one service name endpoints report. */
export const SERVICE = 'sandbox';
const TUNNELS_TIMEOUT_MS = 30_000;
/** Modal keeps running a command past the sandbox's expiry by no more than this (the sandbox is gone then). */
const TTL_MARGIN_MS = 30_000;
const FOLLOW_POLL_MS = 2000;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const PUT_SCRIPT = 'cd "${HOME:-/}" && mkdir -p -- "$1" && exec tar -xf - -C "$1"';
const GET_SCRIPT = 'cd "${HOME:-/}" && cd -- "$(dirname -- "$1")" && exec tar -cf - -- "$(basename -- "$1")"';
const CWD_SCRIPT = 'cd "${HOME:-/}" && cd -- "$1" && shift && exec "$@"';

/** The ports declared at create, as stored in the handle (`ports`: JSON of [{port, protocol}]). */
export function declaredPorts(handle: Handle): Pick<PortSpec, 'port' | 'protocol'>[] {
  if (typeof handle.ports !== 'string') return [];
  try {
    const parsed: unknown = JSON.parse(handle.ports);
    return Array.isArray(parsed)
      ? parsed.filter(
          (p): p is Pick<PortSpec, 'port' | 'protocol'> =>
            typeof p === 'object' && p !== null && typeof (p as { port?: unknown }).port === 'number',
        )
      : [];
  } catch {
    return [];
  }
}

/** The last `max` bytes a command wrote to stderr, for an error message. */
function stderrTail(max = 2000) {
  let buf = Buffer.alloc(0);
  return {
    push: (c: Buffer) => void (buf = Buffer.concat([buf, c]).subarray(-max)),
    text: () => buf.toString('utf8').trim(),
  };
}

function sinceDate(since: string): Date {
  if (/^\d+(ms|s|m|h|d)$/.test(since.trim()))
    return new Date(Date.now() - parseDurationSeconds(since) * 1000);
  const t = Date.parse(since);
  if (Number.isNaN(t))
    throw usageError(`invalid --since '${since}'`, 'use an ISO time or a duration such as 10m');
  return new Date(t);
}

async function all(it: AsyncIterable<ModalLogEntry>): Promise<ModalLogEntry[]> {
  const out: ModalLogEntry[] = [];
  for await (const e of it) out.push(e);
  return out;
}

export function modalAccess(id: string, open: OpenSession): Required<AccessMethods> {
  const checkService = (service: string | undefined) => {
    if (service !== undefined && service !== SERVICE)
      throw usageError(`${id} runs one container; there is no service '${service}'`, `omit --service`);
  };
  const sandboxIdOf = (r: Readonly<SandboxRecord>): string => {
    const sid = r.handle.backend_id;
    if (typeof sid !== 'string')
      throw new BackendError(id, `sandbox ${r.id} has no Modal sandbox id`, { retryable: false });
    return sid;
  };
  /** Our bound on a command: its own timeout, and never past the sandbox's expiry. */
  const bound = (r: Readonly<SandboxRecord>, timeout_s?: number): number | undefined => {
    const ttl = r.expires_at
      ? Math.max(1000, Date.parse(r.expires_at) - Date.now() + TTL_MARGIN_MS)
      : undefined;
    const own = timeout_s !== undefined ? timeout_s * 1000 : undefined;
    return own === undefined ? ttl : ttl === undefined ? own : Math.min(own, ttl);
  };

  async function withSandbox<T>(
    ctx: AccessContext,
    op: string,
    fn: (sb: ModalSandboxRef) => Promise<T>,
  ): Promise<T> {
    const s = await open(ctx, op);
    try {
      return await fn(await abortable(s.api.sandboxes.fromId(sandboxIdOf(ctx.sandbox)), ctx.signal));
    } catch (err) {
      throw s.fail(err);
    } finally {
      s.close();
    }
  }

  return {
    endpoints: (ctx) =>
      withSandbox(ctx, 'endpoints', async (sb) => {
        const ports = declaredPorts(ctx.sandbox.handle);
        if (ports.length === 0) return [];
        const tunnels = await abortable(sb.tunnels(TUNNELS_TIMEOUT_MS), ctx.signal);
        return ports.map((p): Endpoint => {
          const t = tunnels[p.port];
          if (!t)
            throw new BackendError(id, `Modal reports no tunnel for declared port ${p.port}`, {
              retryable: true,
            });
          if (p.protocol === 'tcp') {
            return {
              service: SERVICE,
              port: p.port,
              host: t.unencryptedHost ?? t.host,
              host_port: t.unencryptedPort ?? t.port,
              protocol: 'tcp',
            };
          }
          return {
            service: SERVICE,
            port: p.port,
            host: t.host,
            host_port: t.port,
            protocol: 'http',
            url: t.url,
          };
        });
      }),

    exec: (ctx, req, out) =>
      withSandbox(ctx, 'exec', async (sb) => {
        checkService(req.service);
        for (const k of Object.keys(req.env ?? {}))
          if (!ENV_NAME.test(k)) throw usageError(`invalid environment variable name ${JSON.stringify(k)}`);
        let argv = req.shell !== undefined ? ['sh', '-c', req.shell] : req.argv!;
        let workdir: string | undefined;
        // Modal takes an absolute workdir only; a relative one is relative to the home directory.
        if (req.cwd?.startsWith('/')) workdir = req.cwd;
        else if (req.cwd) argv = ['sh', '-c', CWD_SCRIPT, 'sh', req.cwd, ...argv];
        const timeout_ms = bound(ctx.sandbox, req.timeout_s);
        const r = await runProcess(sb, argv, {
          ...(workdir ? { workdir } : {}),
          ...(req.env ? { env: req.env } : {}),
          ...(req.stdin !== undefined
            ? { stdin: typeof req.stdin === 'string' ? Buffer.from(req.stdin) : req.stdin }
            : {}),
          ...(timeout_ms !== undefined ? { timeout_ms } : {}),
          signal: ctx.signal,
          stdout: (c) => out.stdout(c),
          stderr: (c) => out.stderr(c),
        });
        return {
          exit_code: r.exit_code,
          ...(r.signal ? { signal: r.signal } : {}),
          ...(r.timed_out ? { timed_out: true } : {}),
        };
      }),

    logs: (ctx, req, out) =>
      withSandbox(ctx, 'logs', async (sb) => {
        checkService(req.service);
        // Modal keeps the main process's stdout/stderr (and its own `system` lines, sent to stderr).
        const write = (e: ModalLogEntry) =>
          (e.source === 'stdout' ? out.stdout : out.stderr)(Buffer.from(e.message));
        const from = req.since
          ? sinceDate(req.since)
          : new Date(String(ctx.sandbox.handle.started_at ?? ctx.sandbox.created_at));
        let entries =
          req.tail === 0
            ? []
            : req.tail !== undefined && !req.since
              ? await abortable(all(sb.logs.tail({ entries: req.tail })), ctx.signal)
              : await abortable(all(sb.logs.fetch({ since: from })), ctx.signal);
        if (req.tail !== undefined) entries = entries.slice(-req.tail || entries.length);
        entries.forEach(write);
        if (!req.follow) return;
        // No log stream for sandboxes in the SDK: poll from the last timestamp until cancelled or exited.
        let last = entries.at(-1)?.timestamp ?? from;
        const key = (e: ModalLogEntry) => `${e.timestamp.getTime()}|${e.source}|${e.message}`;
        let seen = new Set(entries.filter((e) => +e.timestamp === +last).map(key));
        for (;;) {
          try {
            await sleep(FOLLOW_POLL_MS, undefined, { signal: ctx.signal });
            const exited = (await abortable(sb.poll(), ctx.signal)) !== null;
            for (const e of await abortable(all(sb.logs.fetch({ since: last })), ctx.signal)) {
              if (+e.timestamp < +last || seen.has(key(e))) continue;
              if (+e.timestamp > +last) [last, seen] = [e.timestamp, new Set()];
              seen.add(key(e));
              write(e);
            }
            if (exited) return;
          } catch (err) {
            if (ctx.signal.aborted) return; // following ends when the caller stops it
            throw err;
          }
        }
      }),

    putFiles: (ctx, req, tar) =>
      withSandbox(ctx, 'put-files', async (sb) => {
        checkService(req.service);
        const err = stderrTail();
        const timeout_ms = bound(ctx.sandbox);
        const r = await runProcess(sb, ['sh', '-c', PUT_SCRIPT, 'sh', req.path], {
          stdin: tar as AsyncIterable<unknown>,
          stdinRequired: true,
          ...(timeout_ms !== undefined ? { timeout_ms } : {}),
          signal: ctx.signal,
          stdout: () => undefined,
          stderr: err.push,
        });
        if (r.cancelled) throw new CancelledError(`${id}: copying into ${req.path} cancelled`);
        if (r.exit_code !== 0)
          throw new BackendError(
            id,
            `extracting into ${req.path} failed (exit ${r.exit_code}): ${err.text()}`,
            {
              retryable: false,
            },
          );
      }),

    async getFiles(ctx, req) {
      checkService(req.service);
      const s = await open(ctx, 'get-files');
      let sb: ModalSandboxRef;
      try {
        sb = await abortable(s.api.sandboxes.fromId(sandboxIdOf(ctx.sandbox)), ctx.signal);
      } catch (err) {
        s.close();
        throw s.fail(err);
      }
      // The command outlives this call: it ends when the consumer has read the tar, stops reading, or cancels.
      const stream = new PassThrough();
      const stop = new AbortController();
      const onAbort = () => stop.abort();
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      if (ctx.signal.aborted) stop.abort();
      stream.once('close', () => stop.abort());
      const err = stderrTail();
      const timeout_ms = bound(ctx.sandbox);
      runProcess(sb, ['sh', '-c', GET_SCRIPT, 'sh', req.path], {
        ...(timeout_ms !== undefined ? { timeout_ms } : {}),
        signal: stop.signal,
        stdout: (c) =>
          stream.write(c)
            ? undefined
            : new Promise<void>((resolve) => {
                stream.once('drain', resolve);
                stream.once('close', resolve);
              }),
        stderr: err.push,
      })
        .then((r) => {
          if (r.cancelled) stream.destroy(new CancelledError(`${id}: copying ${req.path} cancelled`));
          else if (r.exit_code !== 0)
            stream.destroy(
              new BackendError(id, `reading ${req.path} failed (exit ${r.exit_code}): ${err.text()}`, {
                retryable: false,
              }),
            );
          else stream.end();
        })
        .catch((e: unknown) => stream.destroy(s.fail(e)))
        .finally(() => {
          ctx.signal.removeEventListener('abort', onAbort);
          s.close();
        });
      return stream;
    },
  };
}
