import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeEnvd } from './e2b-envd.ts';
import { badRequest, created, detail, header, notFound, readJson, send, stringMap } from './e2b-api.ts';

/**
 * A local HTTP server speaking the subset of E2B's REST API the official `e2b` SDK uses, plus envd (health,
 * commands, files: see e2b-envd.ts; point `E2B_SANDBOX_URL` at it as well). Listens on 127.0.0.1 only.
 * Create and connect hand out the sandbox's envd access token, as E2B does for secured sandboxes.
 *
 * Control plane: v1 and v2 create (`POST /sandboxes`, `POST /v2/sandboxes`), list (`GET /sandboxes`,
 * `GET /v2/sandboxes` with the metadata filter and `X-Next-Token` paging), get, kill, timeout, pause, resume and
 * connect (v1 + v2), snapshots (`POST /sandboxes/{id}/snapshots`, `GET /snapshots`, `DELETE /templates/{id}`).
 * Errors are `{code, message}` JSON bodies like E2B's. Faults can be injected per operation.
 */
export interface FakeSandbox {
  sandboxID: string;
  templateID: string;
  clientID: string;
  metadata: Record<string, string>;
  envVars: Record<string, string>;
  startedAt: string;
  endAt: string;
  state: 'running' | 'paused';
  cpuCount: number;
  memoryMB: number;
  envdVersion: string;
  /** envd answers /health with 502 until this time (ms since epoch). */
  healthyAt: number;
  /** envd's X-Access-Token for this sandbox. */
  envdAccessToken: string;
  /** The user's home inside the "sandbox": a temp directory removed with the sandbox. */
  home: string;
}

export type FakeOp =
  | 'create'
  | 'list'
  | 'get'
  | 'kill'
  | 'timeout'
  | 'pause'
  | 'connect'
  | 'snapshot'
  | 'delete-snapshot'
  | 'health'
  | 'exec'
  | 'files';

export interface Fault {
  op: FakeOp;
  status: number;
  message?: string;
  /** How many requests it applies to (default: until cleared). */
  times?: number;
  /** Added as a Retry-After header (seconds). */
  retryAfter?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  apiKey: string | undefined;
}

const TEMPLATE_SPECS: Record<string, { cpuCount: number; memoryMB: number }> = {
  base: { cpuCount: 2, memoryMB: 512 },
};

export class FakeE2bServer {
  readonly apiKey: string;
  readonly sandboxes = new Map<string, FakeSandbox>();
  readonly snapshots = new Map<
    string,
    { snapshotID: string; names: string[]; of: string; spec: FakeSandbox }
  >();
  readonly requests: RecordedRequest[] = [];
  /** envd reports unhealthy for this long after create/resume (ms). */
  startupDelayMs = 0;
  /** Version reported as envdVersion on create (the SDK refuses < 0.1.0; closeStdin needs 0.5.2). */
  envdVersion = '0.5.8';
  readonly envd = new FakeEnvd(
    (id) => this.sandboxes.get(id),
    (op, res) => this.fault(op, res),
  );
  private faults: Fault[] = [];
  private readonly homes = new Set<string>();
  private server: Server | undefined;
  private url_ = '';

  constructor(opts: { apiKey?: string } = {}) {
    this.apiKey = opts.apiKey ?? `e2b_test_${randomBytes(8).toString('hex')}`;
  }

  get url(): string {
    return this.url_;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        send(res, 500, { code: 500, message: `fake server error: ${String(err)}` });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url_ = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const id of [...this.sandboxes.keys()]) this.remove(id);
    // Homes of sandboxes a test deleted from the map directly.
    for (const home of this.homes) rmSync(home, { recursive: true, force: true });
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Env for code under test: the SDK's API and envd URLs both point here. */
  env(): Record<string, string> {
    return { E2B_API_KEY: this.apiKey, E2B_API_URL: this.url, E2B_SANDBOX_URL: this.url };
  }

  inject(fault: Fault): () => void {
    this.faults.push(fault);
    return () => {
      this.faults = this.faults.filter((f) => f !== fault);
    };
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** Put sandboxes on the "cloud" directly (for paging tests). */
  seed(count: number, metadata: Record<string, string>, template = 'base'): FakeSandbox[] {
    return Array.from({ length: count }, () => this.spawn(template, metadata, {}, 300));
  }

  private spawn(
    templateID: string,
    metadata: Record<string, string>,
    envVars: Record<string, string>,
    timeout_s: number,
    spec: { cpuCount: number; memoryMB: number } = TEMPLATE_SPECS.base!,
  ): FakeSandbox {
    const now = Date.now();
    const sb: FakeSandbox = {
      sandboxID: `i${randomBytes(10).toString('hex')}`,
      templateID,
      clientID: 'fake-client',
      metadata: { ...metadata },
      envVars: { ...envVars },
      startedAt: new Date(now).toISOString(),
      endAt: new Date(now + timeout_s * 1000).toISOString(),
      state: 'running',
      cpuCount: spec.cpuCount,
      memoryMB: spec.memoryMB,
      envdVersion: this.envdVersion,
      healthyAt: now + this.startupDelayMs,
      envdAccessToken: randomBytes(16).toString('hex'),
      home: mkdtempSync(join(tmpdir(), 'sbx-fake-e2b-home-')),
    };
    this.homes.add(sb.home);
    this.sandboxes.set(sb.sandboxID, sb);
    return sb;
  }

  /** Sandboxes past their timeout are gone, as on E2B (the default on-timeout action is kill). */
  private expire(): void {
    const now = Date.now();
    for (const [id, sb] of this.sandboxes) {
      if (sb.state === 'running' && Date.parse(sb.endAt) <= now) this.remove(id);
    }
  }

  /** A sandbox goes: its processes are killed and its home removed. */
  private remove(id: string): boolean {
    const sb = this.sandboxes.get(id);
    if (!sb) return false;
    this.sandboxes.delete(id);
    this.envd.reap(id);
    rmSync(sb.home, { recursive: true, force: true });
    return true;
  }

  fault(op: FakeOp, res: ServerResponse): boolean {
    const f = this.faults.find((x) => x.op === op);
    if (!f) return false;
    if (f.times !== undefined) {
      f.times -= 1;
      if (f.times <= 0) this.faults = this.faults.filter((x) => x !== f);
    }
    const headers: Record<string, string> =
      f.retryAfter !== undefined ? { 'Retry-After': String(f.retryAfter) } : {};
    send(res, f.status, { code: f.status, message: f.message ?? `injected ${f.status} in ${op}` }, headers);
    return true;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const apiKey = header(req, 'x-api-key');
    this.expire();
    // envd (the in-sandbox daemon), reached through E2B_SANDBOX_URL with the sandbox id in a header.
    if (FakeEnvd.handles(path)) {
      this.requests.push({
        method,
        path,
        query: Object.fromEntries(url.searchParams),
        body: undefined,
        apiKey,
      });
      return this.envd.handle(req, res, url);
    }
    const body = await readJson(req);
    this.requests.push({ method, path, query: Object.fromEntries(url.searchParams), body, apiKey });

    if (apiKey !== this.apiKey) {
      return send(res, 401, { code: 401, message: 'Invalid API key' });
    }

    let m: RegExpMatchArray | null;
    if (method === 'POST' && (path === '/sandboxes' || path === '/v2/sandboxes')) {
      if (this.fault('create', res)) return;
      return this.create(body as Record<string, unknown>, res);
    }
    if (method === 'GET' && (path === '/sandboxes' || path === '/v2/sandboxes')) {
      if (this.fault('list', res)) return;
      return this.list(url, path === '/v2/sandboxes', res);
    }
    if ((m = path.match(/^\/sandboxes\/([^/]+)$/))) {
      const id = decodeURIComponent(m[1]!);
      if (method === 'GET') {
        if (this.fault('get', res)) return;
        const sb = this.sandboxes.get(id);
        return sb ? send(res, 200, detail(sb)) : notFound(res, id);
      }
      if (method === 'DELETE') {
        if (this.fault('kill', res)) return;
        if (!this.remove(id)) return notFound(res, id);
        return send(res, 204);
      }
    }
    if (method === 'POST' && (m = path.match(/^\/sandboxes\/([^/]+)\/timeout$/))) {
      if (this.fault('timeout', res)) return;
      const sb = this.sandboxes.get(decodeURIComponent(m[1]!));
      if (!sb) return notFound(res, m[1]!);
      const timeout = Number((body as { timeout?: unknown })?.timeout);
      if (!Number.isFinite(timeout) || timeout <= 0)
        return badRequest(res, 'timeout must be a positive number');
      sb.endAt = new Date(Date.now() + timeout * 1000).toISOString();
      return send(res, 204);
    }
    if (method === 'POST' && (m = path.match(/^\/sandboxes\/([^/]+)\/pause$/))) {
      if (this.fault('pause', res)) return;
      const sb = this.sandboxes.get(decodeURIComponent(m[1]!));
      if (!sb) return notFound(res, m[1]!);
      if (sb.state === 'paused')
        return send(res, 409, { code: 409, message: `sandbox ${sb.sandboxID} is already paused` });
      sb.state = 'paused';
      return send(res, 204);
    }
    if (method === 'POST' && (m = path.match(/^(?:\/v2)?\/sandboxes\/([^/]+)\/(connect|resume)$/))) {
      if (this.fault('connect', res)) return;
      const sb = this.sandboxes.get(decodeURIComponent(m[1]!));
      if (!sb) return notFound(res, m[1]!);
      const timeout = Number((body as { timeout?: unknown })?.timeout ?? 300);
      const resumed = sb.state === 'paused';
      if (m[2] === 'resume' && !resumed) {
        return send(res, 409, { code: 409, message: `sandbox ${sb.sandboxID} is already running` });
      }
      if (resumed) {
        sb.state = 'running';
        sb.healthyAt = Date.now() + this.startupDelayMs;
      }
      const endAt = Date.now() + timeout * 1000;
      if (resumed || endAt > Date.parse(sb.endAt)) sb.endAt = new Date(endAt).toISOString();
      return send(res, resumed ? 201 : 200, created(sb));
    }
    if (method === 'POST' && (m = path.match(/^\/sandboxes\/([^/]+)\/snapshots$/))) {
      if (this.fault('snapshot', res)) return;
      const sb = this.sandboxes.get(decodeURIComponent(m[1]!));
      if (!sb) return notFound(res, m[1]!);
      const name = (body as { name?: unknown })?.name;
      const snapshotID = `snap_${randomBytes(8).toString('hex')}`;
      const names = typeof name === 'string' && name ? [name] : [];
      if (names.length && [...this.snapshots.values()].some((s) => s.names.includes(names[0]!))) {
        return send(res, 409, { code: 409, message: `snapshot name '${names[0]}' already exists` });
      }
      this.snapshots.set(snapshotID, { snapshotID, names, of: sb.sandboxID, spec: { ...sb } });
      return send(res, 201, { snapshotID, names });
    }
    if (method === 'GET' && path === '/snapshots') {
      const sandboxID = url.searchParams.get('sandboxID');
      const items = [...this.snapshots.values()]
        .filter((s) => !sandboxID || s.of === sandboxID)
        .map((s) => ({ snapshotID: s.snapshotID, names: s.names }));
      return send(res, 200, items);
    }
    if (method === 'DELETE' && (m = path.match(/^\/templates\/([^/]+)$/))) {
      if (this.fault('delete-snapshot', res)) return;
      const id = decodeURIComponent(m[1]!);
      if (!this.snapshots.delete(id))
        return send(res, 404, { code: 404, message: `template '${id}' not found` });
      return send(res, 204);
    }
    return send(res, 404, { code: 404, message: `no route for ${method} ${path}` });
  }

  private create(body: Record<string, unknown> | undefined, res: ServerResponse): void {
    const templateID = typeof body?.templateID === 'string' ? body.templateID : '';
    const snap = this.snapshots.get(templateID);
    const spec = TEMPLATE_SPECS[templateID] ?? snap?.spec;
    if (!spec) {
      return send(res, 404, { code: 404, message: `template '${templateID}' not found` });
    }
    const timeout = body?.timeout === undefined ? 300 : Number(body.timeout);
    if (!Number.isInteger(timeout) || timeout <= 0)
      return badRequest(res, 'timeout must be a positive integer');
    if (timeout > 86_400) return badRequest(res, 'timeout cannot be greater than 24 hours');
    const metadata = stringMap(body?.metadata);
    const envVars = stringMap(body?.envVars);
    if (metadata === undefined || envVars === undefined) {
      return badRequest(res, 'metadata and envVars must map strings to strings');
    }
    const sb = this.spawn(templateID, metadata, envVars, timeout, spec);
    send(res, 201, created(sb));
  }

  private list(url: URL, v2: boolean, res: ServerResponse): void {
    // The SDK URL-encodes each key and value, then form-encodes the pairs: decode both layers.
    const filter: Record<string, string> = {};
    const raw = url.searchParams.get('metadata');
    if (raw) {
      for (const [k, v] of new URLSearchParams(raw)) filter[decodeURIComponent(k)] = decodeURIComponent(v);
    }
    const states = (url.searchParams.get('state') ?? 'running,paused').split(',');
    let items = [...this.sandboxes.values()]
      .filter((sb) => (v2 ? states.includes(sb.state) : sb.state === 'running'))
      .filter((sb) => Object.entries(filter).every(([k, v]) => sb.metadata[k] === v))
      .sort((a, b) => a.sandboxID.localeCompare(b.sandboxID));
    if (!v2) return send(res, 200, items.map(detail));
    const limit = Math.min(Math.max(Number(url.searchParams.get('limit') ?? 100), 1), 100);
    const after = url.searchParams.get('nextToken');
    if (after) items = items.filter((sb) => sb.sandboxID > after);
    const page = items.slice(0, limit);
    const headers: Record<string, string> =
      items.length > limit ? { 'X-Next-Token': page[page.length - 1]!.sandboxID } : {};
    send(res, 200, page.map(detail), headers);
  }
}
