import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as z from 'zod';
import { SandboxerError, usageError } from '../core/errors.ts';
import { silentLogger, type Logger } from '../core/logger.ts';
import type { SandboxManager } from '../manager/manager.ts';
import {
  authenticate,
  DEFAULT_CALLER,
  isLoopbackHost,
  LOCAL_CALLER,
  tokenDigest,
  type ApiCaller,
  type ApiToken,
} from './auth.ts';
import { BackgroundWork } from './background.ts';
import { readJsonBody, sendJson } from './body.ts';
import { HttpError, toHttpError, validationError } from './http-error.ts';
import { buildOpenApi } from './openapi.ts';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_PORT } from './defaults.ts';
import { DEFAULT_LIMITS, Limiter, type ApiLimits, type Lease } from './limits.ts';
import { apiPathResolver, resolveAllowRoot } from './paths.ts';
import { matchPath, routes, type Route, type RouteContext } from './routes.ts';
import { requestSchemas } from './schemas.ts';
import { ownSandbox, ownSnapshot } from './tenancy.ts';

export { DEFAULT_MAX_BODY_BYTES, DEFAULT_PORT } from './defaults.ts';

export interface ApiServerOptions {
  manager: SandboxManager;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** The single bearer token (resolved from a secret_ref by the caller): the admin caller `default`. */
  token?: string;
  /** The callers' tokens (a tokens file, src/api/tokens.ts). A token or tokens are required unless host is loopback. */
  tokens?: ApiToken[];
  /** Path inputs (`repo`) are refused over HTTP unless this directory is given; then they must lie inside it. */
  allowRoot?: string;
  maxBodyBytes?: number;
  /** Per-token limits on mutating routes (default DEFAULT_LIMITS). */
  limits?: ApiLimits;
  log?: Logger;
  version?: string;
}

export interface ApiServer {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Background operations (provisions, teardowns) still running. */
  readonly inFlight: number;
  /**
   * Stop accepting requests, wait up to graceMs for background work, then cancel the provisions still running
   * (the manager tears down what they made) and wait for every teardown to settle.
   */
  close(opts?: { graceMs?: number }): Promise<void>;
}

/** Start the HTTP API on the given manager. Refuses a non-loopback address without a token. */
export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const host = opts.host ?? '127.0.0.1';
  const tokens = [
    ...(opts.token ? [{ ...DEFAULT_CALLER, digest: tokenDigest(opts.token) }] : []),
    ...(opts.tokens ?? []),
  ];
  if (tokens.length === 0 && !isLoopbackHost(host)) {
    throw usageError(
      `refusing to serve on ${host} without a bearer token: anyone who can reach it could create sandboxes`,
      'pass --token-ref env:NAME (or --tokens-file PATH) holding long random tokens, or bind to 127.0.0.1',
    );
  }
  const clash = tokens.findIndex((t, i) => tokens.findIndex((o) => o.id === t.id) !== i);
  if (clash >= 0)
    throw usageError(
      `caller '${tokens[clash]!.id}' is named twice`,
      "the --token-ref token is the caller 'default': name the tokens file's callers otherwise",
    );
  const paths = apiPathResolver(opts.allowRoot === undefined ? undefined : resolveAllowRoot(opts.allowRoot));
  const log = opts.log ?? silentLogger;
  const version = opts.version ?? '0.0.0';
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const work = new BackgroundWork(opts.manager, log);
  const limiter = new Limiter(opts.limits ?? DEFAULT_LIMITS);
  let draining = false;
  let openapi: unknown;
  let url = '';

  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let status = 500;
    const gone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) gone.abort();
    });
    try {
      const reply = await dispatch(req, gone.signal, {
        manager: opts.manager,
        work,
        maxBody,
        tokens,
        paths,
        limiter,
        draining: () => draining,
        health: () => ({ status: draining ? 'draining' : 'ok', version, in_flight: work.size }),
        openapi: () => (openapi ??= buildOpenApi({ version, serverUrl: url })),
      });
      status = reply.status;
      if (reply.stream) {
        res.writeHead(reply.status, {
          'Content-Type': reply.stream.contentType,
          'Cache-Control': 'no-store',
          'X-Content-Type-Options': 'nosniff',
          ...reply.headers,
        });
        await reply.stream.write(res);
        res.end();
      } else if (reply.body === undefined) res.writeHead(reply.status, reply.headers ?? {}).end();
      else sendJson(res, reply.status, reply.body, reply.headers);
    } catch (err) {
      const e = toHttpError(err);
      status = e.status;
      if (e.status >= 500) log.warn(`${req.method} ${req.url}: ${e.code}: ${e.message}`);
      if (!res.headersSent) sendJson(res, e.status, e.body(), e.headers);
      else res.destroy();
    } finally {
      log.debug(`${req.method} ${req.url} → ${status}`);
    }
  };

  const server: Server = createServer((req, res) => void handler(req, res));
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  const port = opts.port ?? DEFAULT_PORT;
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE' || err.code === 'EADDRNOTAVAIL' || err.code === 'EACCES')
        reject(
          new SandboxerError('usage', `cannot listen on ${host}:${port}: ${err.code}`, {
            hint: 'pick another --port (0 chooses a free one) or --host',
          }),
        );
      else reject(err);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  url = `http://${urlHost}:${address.port}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    host: address.address,
    port: address.port,
    get inFlight() {
      return work.size;
    },
    close({ graceMs = 30_000 } = {}) {
      closing ??= (async () => {
        draining = true;
        const closed = new Promise<void>((r) => server.close(() => r()));
        server.closeIdleConnections();
        await work.drain(graceMs);
        server.closeIdleConnections();
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          closed,
          new Promise<void>((r) => (timer = setTimeout(r, Math.max(graceMs, 1000)))),
        ]);
        clearTimeout(timer);
        server.closeAllConnections();
        await closed;
      })();
      return closing;
    },
  };
}

interface DispatchContext {
  manager: SandboxManager;
  work: BackgroundWork;
  maxBody: number;
  tokens: ApiToken[];
  paths: RouteContext['paths'];
  limiter: Limiter;
  draining(): boolean;
  health(): { status: 'ok' | 'draining'; version: string; in_flight: number };
  openapi(): unknown;
}

type RouteMatch = { route: Route; params: Record<string, string> };

async function dispatch(req: IncomingMessage, signal: AbortSignal, ctx: DispatchContext) {
  // Browsers send Origin on cross-site requests; this API has no browser clients, so refuse them outright
  // (a web page must not be able to create sandboxes through a loopback server).
  if (req.headers.origin !== undefined) {
    throw new HttpError(403, 'forbidden', 'cross-origin browser requests are refused', {
      hint: 'call the API from a program (curl, fetch in Node), not from a web page',
    });
  }
  if (ctx.tokens.length === 0) {
    // Without a token the only protection is the loopback bind: refuse other Host names (DNS rebinding).
    const hostHeader = String(req.headers.host ?? '').replace(/:\d+$/, '');
    if (!isLoopbackHost(hostHeader)) {
      throw new HttpError(403, 'forbidden', `Host '${hostHeader}' is not a loopback name`, {
        hint: 'use http://127.0.0.1:<port>, or start the server with --token-ref',
      });
    }
  }
  let url: URL;
  let path: string;
  try {
    url = new URL(req.url ?? '/', 'http://localhost');
    path = url.pathname.replace(/\/+$/, '') || '/';
  } catch {
    throw new HttpError(400, 'validation', 'malformed request URL');
  }
  const method = req.method ?? 'GET';
  const candidates = routes
    .map((route) => ({ route, params: matchPath(route.path, path) }))
    .filter((c): c is { route: Route; params: Record<string, string> } => c.params !== undefined);
  if (candidates.length === 0) {
    throw new HttpError(404, 'not_found', `no route ${method} ${path}`, {
      hint: 'GET /openapi.json lists every route',
    });
  }
  const match = candidates.find((c) => c.route.method === method);
  if (!match) {
    const allow = candidates
      .map((c) => c.route.method)
      .sort()
      .join(', ');
    throw new HttpError(405, 'method_not_allowed', `${method} is not allowed on ${path}`, {
      hint: `allowed: ${allow}`,
      headers: { Allow: allow },
    });
  }
  const { route } = match;
  const caller =
    route.public || ctx.tokens.length === 0
      ? LOCAL_CALLER
      : authenticate(req.headers.authorization, ctx.tokens);
  const lease = route.mutating || route.streams ? ctx.limiter.admit(caller.id) : undefined;
  try {
    const reply = await admitted(req, signal, ctx, match, lease, caller);
    if (!reply.stream || !lease) return reply;
    // A stream holds its in-flight slot until it ends (a followed log counts while it is open).
    const free = lease.hold();
    const write = reply.stream.write;
    return {
      ...reply,
      stream: {
        ...reply.stream,
        write: async (res: ServerResponse) => {
          try {
            await write(res);
          } finally {
            free();
          }
        },
      },
    };
  } finally {
    lease?.release();
  }
}

/** The rest of a request once it is authenticated and admitted by the limiter. */
async function admitted(
  req: IncomingMessage,
  signal: AbortSignal,
  ctx: DispatchContext,
  match: RouteMatch,
  lease: Lease | undefined,
  caller: ApiCaller,
) {
  const { route } = match;
  const method = route.method;
  const url = new URL(req.url ?? '/', 'http://x');

  const params: Record<string, string> = {};
  for (const [name, raw] of Object.entries(match.params)) {
    let value: string;
    try {
      value = decodeURIComponent(raw);
    } catch {
      throw new HttpError(400, 'validation', `path parameter ${name} is not valid percent-encoding`);
    }
    const schema = route.params?.[name] ?? z.string();
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw validationError(`path parameter '${name}'`, parsed.error, `check the ${name}`);
    params[name] = value;
  }

  const query = parseQuery(route, url.searchParams);
  if (route.rawBody && !String(req.headers['content-type'] ?? '').startsWith(route.rawBody))
    throw new HttpError(
      415,
      'unsupported_media_type',
      `${method} ${route.path} takes a ${route.rawBody} body`,
      {
        hint: `send Content-Type: ${route.rawBody}`,
      },
    );
  const raw = route.rawBody ? undefined : await readJsonBody(req, ctx.maxBody);
  let body: unknown;
  if (route.body) {
    const parsed = requestSchemas[route.body].safeParse(raw === undefined ? {} : raw);
    if (!parsed.success)
      throw validationError(
        'request body',
        parsed.error,
        `see components.schemas.${route.body} in /openapi.json`,
      );
    body = parsed.data;
  } else if (raw !== undefined) {
    throw new HttpError(400, 'validation', `${method} ${route.path} takes no request body`);
  }

  if (route.mutating && ctx.draining()) {
    throw new HttpError(503, 'shutting_down', 'the server is shutting down and takes no new work', {
      retryable: true,
      hint: 'retry against a running server',
      headers: { 'Retry-After': '5' },
    });
  }
  if (route.owned === 'sandbox') await ownSandbox(ctx.manager, caller, params.id!);
  if (route.owned === 'snapshot') await ownSnapshot(ctx.manager, caller, params.id!);
  return route.handle({
    req,
    signal,
    params,
    query,
    body,
    manager: ctx.manager,
    caller,
    paths: ctx.paths,
    work: lease ? leased(ctx.work, lease) : ctx.work,
    health: ctx.health,
    openapi: ctx.openapi,
  });
}

/** Query parameters as an object for the route's schema: array fields take repeated or comma-separated values. */
function parseQuery(route: Route, search: URLSearchParams): unknown {
  const keys = [...new Set(search.keys())];
  if (!route.query) {
    if (keys.length)
      throw new HttpError(400, 'validation', `unknown query parameter '${keys[0]}'`, {
        hint: `${route.method} ${route.path} takes no query parameters`,
      });
    return {};
  }
  const shape = route.query.shape as Record<string, z.ZodType>;
  const obj: Record<string, unknown> = {};
  for (const key of keys) {
    const field = shape[key];
    const inner = field instanceof z.ZodOptional ? (field.unwrap() as z.ZodType) : field;
    const values = search.getAll(key);
    if (inner instanceof z.ZodArray) obj[key] = values.flatMap((v) => v.split(',')).filter(Boolean);
    else if (values.length > 1)
      throw new HttpError(400, 'validation', `query parameter '${key}' given ${values.length} times`);
    else obj[key] = values[0];
  }
  const parsed = route.query.safeParse(obj);
  if (!parsed.success)
    throw validationError('query', parsed.error, `query parameters: ${Object.keys(shape).join(', ')}`);
  return parsed.data;
}

/** The background work as a handler sees it: a provision it starts holds the request's lease until it ends. */
function leased(work: BackgroundWork, lease: Lease): BackgroundWork {
  return Object.assign(Object.create(work) as BackgroundWork, {
    startProvision: (what: string, start: Parameters<BackgroundWork['startProvision']>[1]) =>
      work.startProvision(what, start, lease.hold()),
  });
}
