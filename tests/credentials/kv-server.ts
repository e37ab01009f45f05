import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local HTTP server speaking the OpenBao/Vault KV v2 read API, JWT auth login, and the GitHub Actions OIDC
 * token endpoint — the outside systems the vault: scheme talks to. Records every request it saw.
 */
export interface KvServerOptions {
  /** Secrets by `<mount>/<path>`: the KV v2 `.data.data`. */
  secrets: Record<string, Record<string, unknown>>;
  /** The token KV reads accept. */
  token: string;
  namespace?: string;
  /** JWT auth: role → accepted JWT; the login answers `loginToken`. */
  jwt?: { path: string; role: string; jwt: string; loginToken: string };
  /** OIDC endpoint: the bearer it accepts and the JWT it hands out (per audience, '' = no audience). */
  oidc?: { requestToken: string; tokens: Record<string, string> };
  /** Never answer KV reads (for cancellation and deadlines). */
  hang?: boolean;
  /** Answer the next N KV reads with this status first. */
  failFirst?: { count: number; status: number };
}

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface KvServer {
  url: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

export async function startKvServer(opts: KvServerOptions): Promise<KvServer> {
  const seen: SeenRequest[] = [];
  let failures = opts.failFirst?.count ?? 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const send = (status: number, value?: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(value === undefined ? '' : JSON.stringify(value));
      };
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/oidc' && opts.oidc) {
        if (req.headers.authorization !== `Bearer ${opts.oidc.requestToken}`)
          return send(401, { message: 'bad' });
        const jwt = opts.oidc.tokens[url.searchParams.get('audience') ?? ''];
        return jwt ? send(200, { count: 1, value: jwt }) : send(400, { message: 'unknown audience' });
      }
      if (opts.namespace !== undefined && req.headers['x-vault-namespace'] !== opts.namespace)
        return send(403, { errors: ['permission denied'] });
      const login = /^\/v1\/auth\/(.+)\/login$/.exec(url.pathname);
      if (login && req.method === 'POST' && opts.jwt) {
        const { role, jwt } = JSON.parse(body || '{}') as { role?: string; jwt?: string };
        if (login[1] !== opts.jwt.path || role !== opts.jwt.role || jwt !== opts.jwt.jwt)
          return send(400, { errors: ['error validating token'] });
        return send(200, {
          auth: { client_token: opts.jwt.loginToken, lease_duration: 60, renewable: true },
        });
      }
      const kv = /^\/v1\/([^/]+)\/data\/(.+)$/.exec(url.pathname);
      if (kv && req.method === 'GET') {
        if (opts.hang) return;
        const accepted = [opts.token, opts.jwt?.loginToken].filter(Boolean);
        if (!accepted.includes(String(req.headers['x-vault-token'])))
          return send(403, { errors: ['permission denied'] });
        if (failures > 0) {
          failures--;
          return send(opts.failFirst!.status, { errors: ['temporarily unavailable'] });
        }
        const data = opts.secrets[`${kv[1]}/${decodeURIComponent(kv[2]!)}`];
        if (!data) return send(404, { errors: [] });
        return send(200, {
          request_id: 'r1',
          lease_duration: 0,
          data: { data, metadata: { version: 1, created_time: '2026-01-01T00:00:00Z', destroyed: false } },
        });
      }
      send(404, { errors: [] });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
