import type * as z from 'zod';
import type { OutputSink } from '../extensions/contract.ts';
import { SandboxAccess } from '../manager/access.ts';
import type { Route } from './route.ts';
import { ExecRequestBody, FilesQuery, LogsQuery, SandboxId } from './schemas.ts';

/**
 * Using a ready sandbox over HTTP: its endpoints, a command (NDJSON stream of output and the exit), service logs
 * (text), files in and out (tar). The same SandboxAccess the CLI and the action use.
 */
const NDJSON = 'application/x-ndjson';
const TAR = 'application/x-tar';

export const accessRoutes: Route[] = [
  {
    method: 'GET',
    path: '/v1/sandboxes/{id}/endpoints',
    operationId: 'getSandboxEndpoints',
    summary: 'Reachable ports of a ready sandbox: service, port, host:port and URL',
    owned: 'sandbox',
    params: { id: SandboxId },
    responses: { 200: { description: 'The endpoints', schema: 'EndpointList' } },
    errors: [404, 409, 422, 502],
    async handle({ params, manager, signal }) {
      return {
        status: 200,
        body: { endpoints: await new SandboxAccess(manager).endpoints(params.id!, { signal }) },
      };
    },
  },
  {
    method: 'POST',
    path: '/v1/sandboxes/{id}/exec',
    operationId: 'execInSandbox',
    streams: true,
    summary: 'Run a command in a ready sandbox, streaming its output',
    description:
      'The answer is NDJSON, one object per line: `{"stream":"stdout"|"stderr","data":"…"}` as output arrives, ' +
      'then `{"exit":{"exit_code":N,"timed_out"?:true}}`. A failure after the stream began is a last line ' +
      '`{"error":{…}}`. Closing the connection ends the remote command.',
    owned: 'sandbox',
    params: { id: SandboxId },
    body: 'ExecRequestBody',
    responses: {
      200: { description: 'NDJSON stream of output, then the exit', raw: true, contentType: NDJSON },
    },
    errors: [404, 409, 422, 502],
    async handle({ params, body, manager, signal }) {
      const b = body as z.infer<typeof ExecRequestBody>;
      return {
        status: 200,
        body: undefined,
        stream: {
          contentType: NDJSON,
          async write(res) {
            const line = (o: unknown) => res.write(`${JSON.stringify(o)}\n`);
            const sink: OutputSink = {
              stdout: (d) => line({ stream: 'stdout', data: d.toString('utf8') }),
              stderr: (d) => line({ stream: 'stderr', data: d.toString('utf8') }),
            };
            try {
              const r = await new SandboxAccess(manager).exec(params.id!, b, sink, { signal });
              line({ exit: r });
            } catch (err) {
              const { toHttpError } = await import('./http-error.ts');
              line(toHttpError(err).body());
            }
          },
        },
      };
    },
  },
  {
    method: 'GET',
    path: '/v1/sandboxes/{id}/logs',
    operationId: 'getSandboxLogs',
    streams: true,
    summary: "A ready sandbox's service logs as text (follow=true streams until the client disconnects)",
    owned: 'sandbox',
    params: { id: SandboxId },
    query: LogsQuery,
    responses: { 200: { description: 'The log lines', raw: true, contentType: 'text/plain' } },
    errors: [404, 409, 422, 502],
    async handle({ params, query, manager, signal }) {
      const q = query as z.infer<typeof LogsQuery>;
      const req = {
        ...(q.service ? { service: q.service } : {}),
        ...(q.tail !== undefined ? { tail: q.tail } : {}),
        ...(q.since ? { since: q.since } : {}),
        ...(q.follow === 'true' ? { follow: true } : {}),
      };
      const access = new SandboxAccess(manager);
      if (!req.follow) {
        // Not following: collect first, so an error is a proper status, not a cut-off body.
        const chunks: Buffer[] = [];
        const sink = (d: Buffer) => void chunks.push(d);
        await access.logs(params.id!, req, { stdout: sink, stderr: sink }, { signal });
        const text = Buffer.concat(chunks);
        return {
          status: 200,
          body: undefined,
          stream: { contentType: 'text/plain; charset=utf-8', write: async (res) => void res.write(text) },
        };
      }
      return {
        status: 200,
        body: undefined,
        stream: {
          contentType: 'text/plain; charset=utf-8',
          async write(res) {
            const sink = (d: Buffer) => void res.write(d);
            await access
              .logs(params.id!, req, { stdout: sink, stderr: sink }, { signal })
              .catch(() => undefined);
          },
        },
      };
    },
  },
  {
    method: 'PUT',
    path: '/v1/sandboxes/{id}/files',
    operationId: 'putSandboxFiles',
    streams: true,
    summary: 'Extract a tar body at path in a ready sandbox (a directory, created if missing)',
    mutating: true,
    owned: 'sandbox',
    params: { id: SandboxId },
    query: FilesQuery,
    rawBody: TAR,
    responses: { 204: { description: 'Extracted', raw: true } },
    errors: [404, 409, 415, 422, 502, 503],
    async handle({ params, query, req, manager, signal }) {
      const q = query as z.infer<typeof FilesQuery>;
      await new SandboxAccess(manager).putFiles(params.id!, q, req, { signal });
      return { status: 204, body: undefined };
    },
  },
  {
    method: 'GET',
    path: '/v1/sandboxes/{id}/files',
    operationId: 'getSandboxFiles',
    streams: true,
    summary: 'A tar of path (a file or a directory) in a ready sandbox, entries relative to its parent',
    owned: 'sandbox',
    params: { id: SandboxId },
    query: FilesQuery,
    responses: { 200: { description: 'The tar stream', raw: true, contentType: TAR } },
    errors: [404, 409, 422, 502],
    async handle({ params, query, manager, signal }) {
      const q = query as z.infer<typeof FilesQuery>;
      const tar = await new SandboxAccess(manager).getFiles(params.id!, q, { signal });
      return {
        status: 200,
        body: undefined,
        stream: {
          contentType: TAR,
          async write(res) {
            const { pipeline } = await import('node:stream/promises');
            await pipeline(tar, res, { end: false });
          },
        },
      };
    },
  },
];
