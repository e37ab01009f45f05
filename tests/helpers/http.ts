import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
export interface Reply<T = any> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: T;
}

export interface CallOptions {
  /** JSON-encoded with Content-Type: application/json. */
  json?: unknown;
  /** Sent as is (no Content-Type unless given in headers). */
  raw?: string | Buffer;
  headers?: OutgoingHttpHeaders;
  token?: string;
}

/** One request over real HTTP (node:http, so Host, Origin and the body can be anything). */
export function call(base: string, method: string, path: string, opts: CallOptions = {}): Promise<Reply> {
  const url = new URL(path, base);
  const headers: OutgoingHttpHeaders = { ...opts.headers };
  let payload: string | Buffer | undefined = opts.raw;
  if (opts.json !== undefined) {
    payload = JSON.stringify(opts.json);
    headers['content-type'] ??= 'application/json';
  }
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (payload !== undefined && !headers['transfer-encoding'])
    headers['content-length'] ??= Buffer.byteLength(payload);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, method, path: `${url.pathname}${url.search}`, headers },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          let body: unknown;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            body = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
