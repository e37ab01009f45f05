import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the GitHub services the actions talk to, speaking their wire protocols so the real
 * @actions/artifact client and octokit run unmodified:
 * - the artifact Twirp service (`/twirp/github.actions.results.api.v1.ArtifactService/<Method>`), scoped by the
 *   run and job backend ids in the runtime token's `scp` claim;
 * - the blob store behind signed URLs (`/<account>/<container>/<blob>`: Put Block, Put Block List, Get);
 * - the REST subset the reaper uses: list artifacts (paged), download (302 to the blob), delete, get a run.
 * Runs are numbered; the token for run N carries backend ids `run-N` / `job-N-<job>`.
 */
export interface StoredArtifact {
  id: number;
  run: number;
  job: string;
  name: string;
  blob: string;
  size: number;
  finalized: boolean;
  created_at: string;
}

const TWIRP = '/twirp/github.actions.results.api.v1.ArtifactService/';
const CACHE_TWIRP = '/twirp/github.actions.results.api.v1.CacheService/';
const ACCOUNT = 'devstoreaccount1';

export class FakeGitHub {
  readonly artifacts: StoredArtifact[] = [];
  /** Cache entries (service v2): immutable keys, restored by exact key or newest with a restore-key prefix. */
  readonly cache: { key: string; version: string; blob: string; finalized: boolean; seq: number }[] = [];
  readonly blobs = new Map<string, { data: Buffer; contentType: string }>();
  private readonly blocks = new Map<string, Buffer>();
  readonly calls: string[] = [];
  /** REST requests answered 403 with a rate-limit body before serving (exercises throttling/retry). */
  failNextRest = 0;
  /** Workflow run statuses (`GET …/actions/runs/{id}`): `queued`, `in_progress`, `completed`…; others are 404. */
  readonly runs = new Map<number, string>();
  private nextId = 100;
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: 'internal', msg: String(err) }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }

  /** A runtime token (unsigned JWT: the client only decodes it) for one job of one run. */
  static runtimeToken(run: number, job = 'job'): string {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ scp: `Actions.GenericRead:x Actions.Results:run-${run}:job-${run}-${job}` })}.sig`;
  }

  /** The env a JavaScript action step gets for run N (artifact runtime + REST pointed here). */
  env(run: number, job = 'job', attempt = 1): Record<string, string> {
    return {
      ACTIONS_RUNTIME_TOKEN: FakeGitHub.runtimeToken(run, job),
      ACTIONS_RESULTS_URL: `${this.url}/`,
      GITHUB_API_URL: this.url,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: 'acme/app',
      GITHUB_RUN_ID: String(run),
      GITHUB_RUN_ATTEMPT: String(attempt),
      GITHUB_JOB: job,
      GITHUB_ACTIONS: 'true',
    };
  }

  /** Store a finalized, unzipped artifact of run N directly (seeding a repository for benchmarks and tests). */
  seedArtifact(
    run: number,
    name: string,
    data: string,
    createdAt = new Date().toISOString(),
  ): StoredArtifact {
    const blob = `run-${run}/${this.nextId}/${name}`;
    this.blobs.set(blob, { data: Buffer.from(data), contentType: 'application/json' });
    const a = {
      id: this.nextId++,
      run,
      job: 'seed',
      name,
      blob,
      size: data.length,
      finalized: true,
      created_at: createdAt,
    };
    this.artifacts.push(a);
    return a;
  }

  /** REST requests served so far (what counts against GITHUB_TOKEN's 1,000 an hour). */
  restCalls(): string[] {
    return this.calls.filter((c) => c.startsWith('rest '));
  }

  live(): StoredArtifact[] {
    return this.artifacts.filter((a) => a.finalized);
  }

  async blobText(name: string): Promise<string | undefined> {
    const a = this.live().find((x) => x.name === name);
    return a && this.blobs.get(a.blob)?.data.toString('utf8');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const body = await readBody(req);
    if (url.pathname.startsWith(TWIRP)) return this.twirp(url.pathname.slice(TWIRP.length), req, body, res);
    if (url.pathname.startsWith(CACHE_TWIRP))
      return this.cacheTwirp(url.pathname.slice(CACHE_TWIRP.length), body, res);
    if (url.pathname.startsWith(`/${ACCOUNT}/`)) return this.blob(url, req, body, res);
    if (url.pathname.startsWith('/repos/')) return this.rest(url, req, res);
    res.writeHead(404).end();
  }

  private scope(req: IncomingMessage): { run: number; job: string } | undefined {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token) return undefined;
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      scp?: string;
    };
    const m = /Actions\.Results:run-(\d+):(\S+)/.exec(payload.scp ?? '');
    return m ? { run: Number(m[1]), job: m[2]! } : undefined;
  }

  private twirp(method: string, req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    this.calls.push(`twirp ${method}`);
    const scope = this.scope(req);
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (!scope) return json(401, { code: 'unauthenticated', msg: 'no runtime token' });
    const msg = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
    const runId = `run-${scope.run}`;
    if (msg.workflow_run_backend_id !== runId)
      return json(403, { code: 'permission_denied', msg: 'run id does not match the token' });
    const inRun = () => this.artifacts.filter((a) => a.run === scope.run && a.finalized);
    const name = String(msg.name ?? '');
    switch (method) {
      case 'CreateArtifact': {
        if (this.artifacts.some((a) => a.run === scope.run && a.name === name))
          return json(409, { code: 'already_exists', msg: `artifact ${name} already exists` });
        const blob = `run-${scope.run}/${this.nextId}/${name}`;
        this.artifacts.push({
          id: this.nextId++,
          run: scope.run,
          job: scope.job,
          name,
          blob,
          size: 0,
          finalized: false,
          created_at: new Date().toISOString(),
        });
        return json(200, {
          ok: true,
          signed_upload_url: `${this.url}/${ACCOUNT}/artifacts/${blob}?sig=upload`,
        });
      }
      case 'FinalizeArtifact': {
        const a = this.artifacts.find((x) => x.run === scope.run && x.name === name && !x.finalized);
        if (!a || !this.blobs.has(a.blob))
          return json(404, { code: 'not_found', msg: `no upload for ${name}` });
        a.finalized = true;
        a.size = Number(msg.size ?? 0);
        return json(200, { ok: true, artifact_id: String(a.id) });
      }
      case 'ListArtifacts': {
        const nameFilter = (msg.name_filter as string | undefined) ?? undefined;
        const idFilter = msg.id_filter as string | undefined;
        const list = inRun().filter(
          (a) => (!nameFilter || a.name === nameFilter) && (!idFilter || String(a.id) === String(idFilter)),
        );
        return json(200, { artifacts: list.map((a) => this.twirpArtifact(a)) });
      }
      case 'GetSignedArtifactURL': {
        const a = inRun().find((x) => x.name === name);
        if (!a) return json(404, { code: 'not_found', msg: `artifact ${name} not found` });
        return json(200, { signed_url: `${this.url}/${ACCOUNT}/artifacts/${a.blob}?sig=download` });
      }
      case 'DeleteArtifact': {
        const a = inRun().find((x) => x.name === name);
        if (!a) return json(404, { code: 'not_found', msg: `artifact ${name} not found` });
        this.remove(a);
        return json(200, { ok: true, artifact_id: String(a.id) });
      }
      default:
        return json(404, { code: 'bad_route', msg: `no method ${method}` });
    }
  }

  private cacheTwirp(method: string, body: Buffer, res: ServerResponse): void {
    this.calls.push(`cache ${method}`);
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    const msg = JSON.parse(body.toString('utf8') || '{}') as {
      key?: string;
      version?: string;
      restore_keys?: string[];
      size_bytes?: string;
    };
    const key = String(msg.key ?? '');
    const version = String(msg.version ?? '');
    switch (method) {
      case 'CreateCacheEntry': {
        if (this.cache.some((e) => e.key === key && e.version === version))
          return json(409, { code: 'already_exists', msg: `cache entry ${key} already exists` });
        const blob = `cache/${this.nextId++}/${key}`;
        this.cache.push({ key, version, blob, finalized: false, seq: this.nextId });
        return json(200, {
          ok: true,
          signed_upload_url: `${this.url}/${ACCOUNT}/artifacts/${blob}?sig=cache`,
        });
      }
      case 'FinalizeCacheEntryUpload': {
        const e = this.cache.find((x) => x.key === key && x.version === version && !x.finalized);
        if (!e || !this.blobs.has(e.blob))
          return json(404, { code: 'not_found', msg: `no upload for ${key}` });
        e.finalized = true;
        return json(200, { ok: true, entry_id: String(e.seq) });
      }
      case 'GetCacheEntryDownloadURL': {
        const live = this.cache.filter((e) => e.finalized && e.version === version);
        const hit =
          live.find((e) => e.key === key) ??
          (msg.restore_keys ?? [])
            .map((prefix) => live.filter((e) => e.key.startsWith(prefix)).sort((a, b) => b.seq - a.seq)[0])
            .find(Boolean);
        if (!hit) return json(200, { ok: false, signed_download_url: '', matched_key: '' });
        return json(200, {
          ok: true,
          signed_download_url: `${this.url}/${ACCOUNT}/artifacts/${hit.blob}?sig=cache`,
          matched_key: hit.key,
        });
      }
      default:
        return json(404, { code: 'bad_route', msg: `no method ${method}` });
    }
  }

  private twirpArtifact(a: StoredArtifact) {
    return {
      workflow_run_backend_id: `run-${a.run}`,
      workflow_job_run_backend_id: `job-${a.run}-${a.job}`,
      database_id: String(a.id),
      name: a.name,
      size: String(a.size),
      created_at: a.created_at,
    };
  }

  private remove(a: StoredArtifact): void {
    this.artifacts.splice(this.artifacts.indexOf(a), 1);
    this.blobs.delete(a.blob);
  }

  private blob(url: URL, req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const key = decodeURIComponent(url.pathname.slice(`/${ACCOUNT}/artifacts/`.length));
    const comp = url.searchParams.get('comp');
    this.calls.push(`blob ${req.method} ${comp ?? ''}`.trim());
    const headers = { 'x-ms-request-id': '1', 'x-ms-version': '2024-11-04', etag: '"1"' };
    if (req.method === 'PUT' && comp === 'block') {
      this.blocks.set(`${key}#${url.searchParams.get('blockid')}`, body);
      res.writeHead(201, headers).end();
      return;
    }
    if (req.method === 'PUT' && comp === 'blocklist') {
      const ids = [...body.toString('utf8').matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]+)</g)].map(
        (m) => m[1]!,
      );
      const data = Buffer.concat(ids.map((id) => this.blocks.get(`${key}#${id}`) ?? Buffer.alloc(0)));
      const contentType = String(req.headers['x-ms-blob-content-type'] ?? 'application/octet-stream');
      this.blobs.set(key, { data, contentType });
      res.writeHead(201, headers).end();
      return;
    }
    if (req.method === 'PUT') {
      // Put Blob (single shot).
      this.blobs.set(key, {
        data: body,
        contentType: String(req.headers['x-ms-blob-content-type'] ?? 'application/octet-stream'),
      });
      res.writeHead(201, headers).end();
      return;
    }
    if (req.method === 'GET') {
      const blob = this.blobs.get(key);
      if (!blob) return void res.writeHead(404).end();
      const file = key.split('/').pop()!;
      res.writeHead(200, {
        'content-type': blob.contentType,
        'content-length': String(blob.data.length),
        'content-disposition': `attachment; filename="${file}"`,
      });
      res.end(blob.data);
      return;
    }
    res.writeHead(405).end();
  }

  private rest(url: URL, req: IncomingMessage, res: ServerResponse): void {
    this.calls.push(`rest ${req.method} ${url.pathname}`);
    const json = (status: number, value?: unknown, extra: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...extra });
      res.end(value === undefined ? '' : JSON.stringify(value));
    };
    if (!/^(token|Bearer) \S+/.test(req.headers.authorization ?? ''))
      return json(401, { message: 'Requires authentication' });
    if (this.failNextRest > 0) {
      this.failNextRest--;
      return json(
        403,
        { message: 'You have exceeded a secondary rate limit' },
        { 'retry-after': '1', 'x-ratelimit-remaining': '100' },
      );
    }
    const run = /^\/repos\/[^/]+\/[^/]+\/actions\/runs\/(\d+)$/.exec(url.pathname);
    if (run && req.method === 'GET') {
      const status = this.runs.get(Number(run[1]));
      if (!status) return json(404, { message: 'Not Found' });
      return json(200, { id: Number(run[1]), status, conclusion: status === 'completed' ? 'success' : null });
    }
    const m = /^\/repos\/([^/]+)\/([^/]+)\/actions\/artifacts(?:\/(\d+)(\/zip)?)?$/.exec(url.pathname);
    if (!m) return json(404, { message: 'Not Found' });
    const [, , , idText, zip] = m;
    if (!idText && req.method === 'GET') {
      const perPage = Number(url.searchParams.get('per_page') ?? 30);
      const page = Number(url.searchParams.get('page') ?? 1);
      const name = url.searchParams.get('name');
      const all = this.live()
        .filter((a) => !name || a.name === name)
        .sort((a, b) => b.id - a.id);
      return json(200, {
        total_count: all.length,
        artifacts: all.slice((page - 1) * perPage, page * perPage).map((a) => ({
          id: a.id,
          name: a.name,
          size_in_bytes: a.size,
          expired: false,
          created_at: a.created_at,
          workflow_run: { id: a.run },
        })),
      });
    }
    const a = this.live().find((x) => x.id === Number(idText));
    if (!a) return json(404, { message: 'Not Found' });
    if (zip && req.method === 'GET') {
      res.writeHead(302, { location: `${this.url}/${ACCOUNT}/artifacts/${a.blob}?sig=rest` });
      res.end();
      return;
    }
    if (!zip && req.method === 'DELETE') {
      this.remove(a);
      res.writeHead(204).end();
      return;
    }
    return json(405, { message: 'Method not allowed' });
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
