import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakeSandbox } from './e2b-server.ts';

/** JSON shapes and HTTP helpers of the fake E2B control plane. */
export function created(sb: FakeSandbox) {
  return {
    templateID: sb.templateID,
    sandboxID: sb.sandboxID,
    clientID: sb.clientID,
    envdVersion: sb.envdVersion,
    envdAccessToken: sb.envdAccessToken,
    domain: null,
  };
}

export function detail(sb: FakeSandbox) {
  return {
    templateID: sb.templateID,
    sandboxID: sb.sandboxID,
    clientID: sb.clientID,
    startedAt: sb.startedAt,
    endAt: sb.endAt,
    cpuCount: sb.cpuCount,
    memoryMB: sb.memoryMB,
    diskSizeMB: 1024,
    metadata: sb.metadata,
    state: sb.state,
    envdVersion: sb.envdVersion,
  };
}

export function stringMap(value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object') return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') return undefined;
    out[k] = v;
  }
  return out;
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  if (chunks.length === 0) return undefined;
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function send(
  res: ServerResponse,
  status: number,
  body?: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  if (body === undefined) {
    res.writeHead(status, headers).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

export function notFound(res: ServerResponse, id: string): void {
  send(res, 404, { code: 404, message: `sandbox "${id}" doesn't exist or you don't have access to it` });
}

export function badRequest(res: ServerResponse, message: string): void {
  send(res, 400, { code: 400, message });
}
