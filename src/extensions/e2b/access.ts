import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeWebStream } from 'node:stream/web';
import type { Sandbox } from 'e2b';
import type { PortSpec } from '../../catalog/schema.ts';
import { BackendError, SandboxerError } from '../../core/errors.ts';
import type { Handle } from '../../core/record.ts';
import { providerTimeoutSeconds } from '../cloud-common.ts';
import type { AccessContext, AccessMethods, Endpoint } from '../contract.ts';
import { sh } from '../ssh/quote.ts';
import { execOn } from './exec.ts';
import type { E2bCall } from './sdk.ts';

/**
 * Using a live E2B sandbox. Every call connects first (`Sandbox.connect`, with the rest of the TTL as timeout so
 * the provider never keeps it longer than the record says), which also hands over envd's access token: that token
 * stays in memory, never in the handle.
 *
 * - endpoints: one per port the profile declared, saved in the handle at provision (`ports`, JSON) so access does
 *   not depend on today's catalog. E2B serves every sandbox port through its HTTPS edge at `getHost(port)`, so
 *   host_port is 443 and an http port's URL is `https://<host>`.
 * - files: a tar moved as one file through envd's file API (`files.write` streamed, `files.read` as a stream),
 *   packed or unpacked by `tar` inside the sandbox (E2B templates are Debian-based and carry GNU tar). Why not
 *   file by file: the file API keeps neither modes nor symlinks nor empty directories, and would cost one round
 *   trip per entry; why not tar over a command's stdout: the SDK decodes command output as UTF-8 text, which
 *   corrupts binary bytes, while the file API moves bytes.
 * - logs: E2B has no service logs; the method is absent and the manager answers `unsupported`.
 */
type PortDecl = Pick<PortSpec, 'port' | 'protocol'>;

/** The profile's ports as a handle field (absent when none are declared). */
export function portsHandle(ports: readonly PortSpec[] | undefined): Handle {
  if (!ports?.length) return {};
  return { ports: JSON.stringify(ports.map((p) => ({ port: p.port, protocol: p.protocol }))) };
}

function declaredPorts(handle: Handle): PortDecl[] {
  if (typeof handle.ports !== 'string') return [];
  const parsed: unknown = JSON.parse(handle.ports);
  if (!Array.isArray(parsed)) return [];
  return parsed.flatMap((p: unknown) => {
    const { port, protocol } = (p ?? {}) as { port?: unknown; protocol?: unknown };
    if (typeof port !== 'number') return [];
    return [{ port, protocol: protocol === 'tcp' ? ('tcp' as const) : ('http' as const) }];
  });
}

const tempTar = (kind: string) => `/tmp/.sandboxer-${kind}-${randomBytes(8).toString('hex')}.tar`;

/** A web ReadableStream over any Node/minipass stream (what the SDK's streamed upload takes). */
function webStream(src: NodeJS.ReadableStream): ReadableStream<Uint8Array> {
  const it = (src as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const r = await it.next();
      if (r.done) controller.close();
      else controller.enqueue(typeof r.value === 'string' ? Buffer.from(r.value) : r.value);
    },
    async cancel() {
      await it.return?.();
    },
  });
}

/** One container per E2B sandbox: a service name other than its own is a mistake, not something to ignore. */
function oneContainer(id: string, service: string | undefined): void {
  if (service !== undefined && service !== 'sandbox') {
    throw new SandboxerError(
      'usage',
      `${id} runs one container per sandbox; it has no service '${service}'`,
      {
        hint: "leave --service out (or use 'sandbox')",
      },
    );
  }
}

const lastLines = (text: string) => text.trim().split('\n').slice(-3).join('; ') || 'no output';

export function e2bAccess(
  id: string,
  call: E2bCall,
): Required<Pick<AccessMethods, 'endpoints' | 'exec' | 'putFiles' | 'getFiles'>> {
  async function open(ctx: AccessContext, op: string): Promise<Sandbox> {
    const sandboxId = ctx.sandbox.handle.backend_id;
    if (typeof sandboxId !== 'string') {
      throw new BackendError(id, `sandbox ${ctx.sandbox.id} has no E2B sandbox id in its handle`, {
        retryable: false,
      });
    }
    const timeout_s = providerTimeoutSeconds(id, ctx.sandbox, ctx.config);
    return call(ctx, op, (conn, { Sandbox }) =>
      Sandbox.connect(sandboxId, { ...conn, timeoutMs: timeout_s * 1000 }),
    );
  }

  /** Run a helper command to its end; its exit code and stderr come back (non-zero is not thrown). */
  async function run(ctx: AccessContext, sb: Sandbox, op: string, command: string) {
    return call(ctx, op, async () => {
      try {
        return await sb.commands.run(command, { timeoutMs: 0, signal: ctx.signal });
      } catch (err) {
        if ((err as { name?: unknown }).name === 'CommandExitError') {
          return err as { exitCode: number; stderr: string };
        }
        throw err;
      }
    });
  }

  return {
    async endpoints(ctx) {
      const ports = declaredPorts(ctx.sandbox.handle);
      if (!ports.length) return [];
      const sb = await open(ctx, 'endpoints');
      return ports.map((p): Endpoint => {
        const host = sb.getHost(p.port);
        return {
          service: 'sandbox',
          port: p.port,
          host,
          host_port: 443,
          protocol: p.protocol,
          ...(p.protocol === 'http' ? { url: `https://${host}` } : {}),
        };
      });
    },

    async exec(ctx, req, out) {
      oneContainer(id, req.service);
      return execOn(call, ctx, await open(ctx, 'exec'), req, out);
    },

    async putFiles(ctx, req, tar) {
      oneContainer(id, req.service);
      const sb = await open(ctx, 'put-files');
      const tmp = tempTar('put');
      await call(ctx, 'put-files', () => sb.files.write(tmp, webStream(tar), { signal: ctx.signal }));
      const r = await run(
        ctx,
        sb,
        'put-files',
        sh`mkdir -p -- ${req.path} && tar -x -f ${tmp} -C ${req.path}; rc=$?; rm -f -- ${tmp}; exit $rc`,
      );
      if (r.exitCode !== 0) {
        throw new BackendError(id, `cannot unpack into ${req.path}: ${lastLines(r.stderr)}`, {
          retryable: false,
          hint: 'check that the path is writable by the sandbox user and that the image has tar',
        });
      }
    },

    async getFiles(ctx, req) {
      oneContainer(id, req.service);
      const sb = await open(ctx, 'get-files');
      const clean = posix.normalize(req.path).replace(/(.)\/+$/, '$1');
      const parent = posix.dirname(clean);
      const base = clean === '/' ? '.' : posix.basename(clean);
      const tmp = tempTar('get');
      const r = await run(
        ctx,
        sb,
        'get-files',
        sh`tar -c -f ${tmp} -C ${parent} -- ${base} || { rc=$?; rm -f -- ${tmp}; exit $rc; }`,
      );
      if (r.exitCode !== 0) {
        throw new BackendError(id, `cannot pack ${req.path}: ${lastLines(r.stderr)}`, {
          retryable: false,
        });
      }
      const web = await call(ctx, 'get-files', () =>
        sb.files.read(tmp, { format: 'stream', signal: ctx.signal }),
      );
      const stream = Readable.fromWeb(web as unknown as NodeWebStream<Uint8Array>);
      // The temporary tar goes once the caller has read it (or given up).
      stream.once('close', () => void sb.files.remove(tmp).catch(() => undefined));
      return stream;
    },
  };
}
