import type { IncomingMessage, ServerResponse } from 'node:http';
import type * as z from 'zod';
import type { PathResolver } from '../manager/inputs.ts';
import type { SandboxManager } from '../manager/manager.ts';
import type { ApiCaller } from './auth.ts';
import type { BackgroundWork } from './background.ts';
import type { requestSchemas, responseSchemas } from './schemas.ts';

/** One HTTP API operation: its path, schemas (the OpenAPI source) and handler. */
export interface RouteContext {
  /** The request itself (routes with `rawBody` read it as a stream). */
  req: IncomingMessage;
  /** Aborted when the client goes away (ends a streamed exec or a followed log). */
  signal: AbortSignal;
  params: Record<string, string>;
  query: unknown;
  body: unknown;
  manager: SandboxManager;
  work: BackgroundWork;
  /** Who is asking (from the bearer token; the implicit admin `local` on a loopback server without tokens). */
  caller: ApiCaller;
  /** How this server takes `path` inputs (refused unless --allow-root). */
  paths: PathResolver;
  health(): z.infer<typeof responseSchemas.Health>;
  openapi(): unknown;
}

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** A streamed answer of this content type (NDJSON, text, tar) instead of a JSON body. */
  stream?: { contentType: string; write(res: ServerResponse): Promise<void> };
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** `{name}` segments are path parameters. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  /** Served without a bearer token. */
  public?: boolean;
  /** Refused with 503 while the server drains. */
  mutating?: boolean;
  /** A streamed use of a sandbox (exec, logs, files): counted by the per-token limits, its slot held until the stream ends (#15). */
  streams?: boolean;
  /**
   * The `{id}` path parameter names a sandbox or a snapshot that must be the caller's to see (its scope, or an
   * admin token): checked before the handler runs; otherwise the answer is the same 404 as for an unknown id.
   */
  owned?: 'sandbox' | 'snapshot';
  params?: Record<string, z.ZodType>;
  query?: z.ZodObject;
  body?: keyof typeof requestSchemas;
  /** The body is not JSON but a stream of this content type, read by the handler from ctx.req. */
  rawBody?: string;
  /** Success responses; the standard error responses are added by the OpenAPI builder. */
  responses: Record<
    number,
    { description: string; schema?: keyof typeof responseSchemas; raw?: boolean; contentType?: string }
  >;
  /** Error statuses this operation can answer besides 400/401/500. */
  errors?: number[];
  handle(ctx: RouteContext): Promise<Reply>;
}
