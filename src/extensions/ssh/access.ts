import { posix } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { BackendError } from '../../core/errors.ts';
import type { AccessContext, ExecRequest, ExecResult, OutputSink } from '../contract.ts';
import { failureText, sessionOptions, SshSession } from './connection.ts';
import { execCommands, runKillable } from './exec-commands.ts';
import type { Place } from './place.ts';
import { args, sh } from './quote.ts';
import type { SshTarget } from './target.ts';

/**
 * exec and files over SSH, shared by ext.compose-ssh (in the workspace or in a service container) and
 * ext.vm-packer (in the workspace). Every value reaches the remote shell quoted; the command runs under a tiny
 * `sh` wrapper that records its pid, so a timeout or a cancel can end the remote process (closing an SSH
 * channel does not), then the channel closes with the command's own exit code.
 */
/** Run req on an open session: output streamed to out, the exit code returned; timeout and cancel end it. */
export function execOver(
  s: SshSession,
  ctx: AccessContext,
  req: ExecRequest,
  place: Place,
  out: OutputSink,
): Promise<ExecResult> {
  // Only a place that survives JSON (a known container, not one found by a prelude) and a verified host key.
  const mux = s.muxRoute;
  if (ctx.execRoute && mux && !place.prelude && !mux.target.insecure_accept_any_host_key)
    ctx.execRoute({ ...mux, place });
  return runKillable(s, ctx, execCommands(req, place), req, out);
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
