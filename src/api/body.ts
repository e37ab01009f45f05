import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './http-error.ts';

/**
 * Read a JSON request body of at most `limit` bytes. An empty body reads as undefined. The size is checked
 * against Content-Length before reading and again while reading (chunked bodies have no length).
 */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const tooLarge = () =>
    new HttpError(413, 'payload_too_large', `request body exceeds ${limit} bytes`, {
      hint: 'send a smaller JSON body',
      headers: { Connection: 'close' },
    });
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  const type = String(req.headers['content-type'] ?? '');
  if (!/^application\/([a-z.+-]*\+)?json\s*(;|$)/i.test(type)) {
    throw new HttpError(
      415,
      'unsupported_media_type',
      `request bodies must be JSON, got '${type || 'none'}'`,
      {
        hint: 'send Content-Type: application/json',
      },
    );
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text, rejectProtoKeys) as unknown;
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw new HttpError(400, 'validation', `request body is not valid JSON: ${(err as Error).message}`, {
      hint: 'send a JSON object, e.g. {"profile": "profile.saas-stub"}',
    });
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = `${JSON.stringify(body, null, 2)}\n`;
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  });
  res.end(text);
}

/** `__proto__` survives JSON.parse as an own key but vanishes when copied into a new object: refuse it. */
function rejectProtoKeys(key: string, value: unknown): unknown {
  if (key === '__proto__')
    throw new HttpError(400, 'validation', "request body: the key '__proto__' is not allowed", {
      hint: 'rename the key',
    });
  return value;
}
