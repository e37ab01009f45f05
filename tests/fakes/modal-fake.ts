import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConflictError, InvalidError, NotFoundError, ResourceExhaustedError } from 'modal';
import type {
  ModalApi,
  ModalApiFactory,
  ModalAppRef,
  ModalCredentials,
  ModalExecParams,
  ModalImageRef,
  ModalLogEntry,
  ModalSandboxCreateParams,
  ModalSandboxRef,
  ModalTunnelRef,
} from '../../src/extensions/modal/api.ts';
import { fakeExec, killAll, type FakeExecHost } from './modal-fake-process.ts';

/**
 * An in-memory Modal behind the adapter's `ModalApi` edge. Errors are the SDK's own classes (NotFoundError,
 * InvalidError, ResourceExhaustedError from `modal`) or gRPC-status errors shaped like nice-grpc's ClientError.
 * Only running sandboxes are listed, as on Modal, and a listing carries no creation time; tags filter by "has at
 * least these". Exec runs real local processes (./modal-fake-process.ts) with a temp directory as HOME; only
 * ports declared at create have tunnels; entrypoint logs are what a test `emit`s.
 */
export interface FakeModalSandbox extends FakeExecHost {
  appId: string;
  imageId: string;
  params: ModalSandboxCreateParams;
  tags: Record<string, string>;
  exitCode: number | null;
  tunnels: Record<number, Tunnel>;
  logs: ModalLogEntry[];
}

/** The shape of nice-grpc's ClientError (a gRPC status code in `code`). */
export class FakeGrpcError extends Error {
  readonly code: number;
  constructor(code: number, details: string) {
    super(`/modal.client.ModalClient/Call ${code} ${details}`);
    this.name = 'ClientError';
    this.code = code;
  }
}

export type FakeModalOp =
  'create' | 'fromId' | 'list' | 'terminate' | 'snapshot' | 'poll' | 'app' | 'exec' | 'tunnels' | 'logs';

export class FakeModal {
  readonly tokenId = `ak-${randomBytes(6).toString('hex')}`;
  readonly tokenSecret = `as-${randomBytes(12).toString('hex')}`;
  readonly apps = new Map<string, ModalAppRef & { name: string }>();
  readonly images = new Map<
    string,
    { imageId: string; tag?: string; from?: string; ttl_s?: number | null }
  >();
  readonly sandboxes = new Map<string, FakeModalSandbox>();
  /** Clients made and not yet closed (the adapter must close every one). */
  openClients = 0;
  /** poll() takes this long (ms) before answering, like a sandbox still being scheduled. */
  pollDelayMs = 0;
  /** When set, new sandboxes have already exited with this code (an image whose command ends at once). */
  exitOnStart: number | undefined;
  /** Registry refs that fail to build (InvalidError on create). */
  readonly badImages = new Set<string>(['does-not-exist:latest']);
  private faults: { op: FakeModalOp; error: () => Error; times: number }[] = [];

  /** Fail the next `times` calls of `op` (default: until cleared). */
  inject(op: FakeModalOp, error: () => Error, times = Number.POSITIVE_INFINITY): () => void {
    const f = { op, error, times };
    this.faults.push(f);
    return () => {
      this.faults = this.faults.filter((x) => x !== f);
    };
  }

  /** Every exec as the SDK received it. */
  readonly execs: { sandboxId: string; command: string[]; params: ModalExecParams }[] = [];

  /** The main process writes a line to its stdout/stderr (Modal persists it as a log entry). */
  emit(sandboxId: string, source: ModalLogEntry['source'], message: string, timestamp = new Date()): void {
    const sb = this.sandboxes.get(sandboxId);
    if (!sb) throw new Error(`no fake sandbox ${sandboxId}`);
    sb.logs.push({ message, source, timestamp });
  }

  /** End every sandbox (test cleanup): processes killed, home directories removed. */
  dispose(): void {
    for (const sb of this.sandboxes.values()) end(sb, 137);
    this.sandboxes.clear();
  }

  env(): Record<string, string> {
    return { MODAL_TOKEN_ID: this.tokenId, MODAL_TOKEN_SECRET: this.tokenSecret };
  }

  /** Throw the injected error for `op`, if any. */
  fault(op: FakeModalOp): void {
    const f = this.faults.find((x) => x.op === op);
    if (!f) return;
    f.times -= 1;
    if (f.times <= 0) this.faults = this.faults.filter((x) => x !== f);
    throw f.error();
  }

  /** A ModalApiFactory: checks the token as Modal's server would. */
  readonly factory: ModalApiFactory = async (creds: ModalCredentials) => {
    if (creds.tokenId !== this.tokenId || creds.tokenSecret !== this.tokenSecret) {
      // Authentication failures surface on the first call, as gRPC UNAUTHENTICATED.
      return this.client(() => {
        throw new FakeGrpcError(16, 'Token is invalid');
      });
    }
    return this.client(() => undefined);
  };

  private client(auth: () => void): ModalApi {
    return clientFor(this, auth);
  }
}

function end(sb: FakeModalSandbox, code: number): void {
  sb.running = false;
  sb.exitCode ??= code;
  killAll(sb);
  rmSync(sb.home, { recursive: true, force: true });
}

/** The SDK's `Tunnel` (declared in its typings but not exported at run time): the same fields and url getter. */
class Tunnel implements ModalTunnelRef {
  constructor(
    readonly host: string,
    readonly port: number,
    readonly unencryptedHost?: string,
    readonly unencryptedPort?: number,
  ) {}
  get url(): string {
    return `https://${this.host}${this.port !== 443 ? `:${this.port}` : ''}`;
  }
}

/** Declared ports as Modal checks them, and their tunnels (TLS host:443; raw TCP for unencrypted ports). */
function tunnelsFor(params: ModalSandboxCreateParams): Record<number, Tunnel> {
  const enc = params.encryptedPorts ?? [];
  const raw = params.unencryptedPorts ?? [];
  const all = [...enc, ...raw];
  for (const p of all)
    if (!Number.isInteger(p) || p < 1 || p > 65535) throw new InvalidError(`invalid port ${p}`);
  const out: Record<number, Tunnel> = {};
  const host = () => `${randomBytes(6).toString('hex')}.modal.host`;
  for (const p of enc) out[p] = new Tunnel(host(), 443);
  for (const p of raw)
    out[p] = new Tunnel(host(), 443, `r${randomBytes(3).toString('hex')}.modal.host`, 40000 + p);
  return out;
}

function clientFor(fake: FakeModal, auth: () => void): ModalApi {
  fake.openClients += 1;
  let closed = false;
  const guard = () => {
    if (closed) throw new Error('ClientClosedError: client is closed');
    auth();
  };
  const ref = (sb: FakeModalSandbox): ModalSandboxRef => ({
    sandboxId: sb.sandboxId,
    async getTags() {
      guard();
      return { ...sb.tags };
    },
    async setTags(tags) {
      guard();
      sb.tags = { ...tags };
    },
    async terminate() {
      guard();
      fake.fault('terminate');
      end(sb, 137);
      fake.sandboxes.delete(sb.sandboxId);
    },
    async poll() {
      guard();
      fake.fault('poll');
      if (fake.pollDelayMs > 0) await new Promise((r) => setTimeout(r, fake.pollDelayMs));
      return sb.running ? null : sb.exitCode;
    },
    async snapshotFilesystem(params = {}) {
      guard();
      // The SDK's resolveTtlSeconds: undefined → 30 days, null → kept, else whole seconds ≥ 1.
      const ttl = params.ttlMs;
      if (typeof ttl === 'number' && (ttl < 1000 || ttl % 1000 !== 0))
        throw new InvalidError(`ttlMs must be a multiple of 1000ms and at least 1000ms, got ${ttl}`);
      fake.fault('snapshot');
      if (!sb.running) throw new Error('Sandbox is not running');
      const imageId = `im-${randomBytes(8).toString('hex')}`;
      const ttl_s = ttl === undefined ? 30 * 24 * 3600 : ttl === null ? null : ttl / 1000;
      fake.images.set(imageId, { imageId, from: sb.sandboxId, ttl_s });
      return { imageId };
    },
    async exec(command, params) {
      guard();
      fake.fault('exec');
      fake.execs.push({ sandboxId: sb.sandboxId, command: [...command], params: { ...params } });
      return fakeExec(sb, command, params);
    },
    async tunnels() {
      guard();
      fake.fault('tunnels');
      if (!sb.running) throw new ConflictError(`Sandbox ${sb.sandboxId} has already finished`);
      return { ...sb.tunnels };
    },
    logs: {
      async *tail(params = {}) {
        guard();
        fake.fault('logs');
        yield* sb.logs.slice(-(params.entries ?? 100));
      },
      async *fetch(params) {
        guard();
        fake.fault('logs');
        const until = params.until ?? new Date();
        yield* sb.logs.filter((e) => e.timestamp >= params.since && e.timestamp <= until);
      },
    },
  });
  return {
    apps: {
      async fromName(name, params) {
        guard();
        fake.fault('app');
        const existing = fake.apps.get(name);
        if (existing) return existing;
        if (!params?.createIfMissing) throw new NotFoundError(`App '${name}' not found`);
        const app = { appId: `ap-${randomBytes(8).toString('hex')}`, name };
        fake.apps.set(name, app);
        return app;
      },
    },
    images: {
      fromRegistry(tag: string): ModalImageRef {
        // Lazy like the SDK: the image is built (and may fail) when a sandbox is created from it.
        return { imageId: `registry:${tag}` };
      },
      async fromId(imageId) {
        guard();
        const img = fake.images.get(imageId);
        if (!img) throw new NotFoundError(`Image '${imageId}' not found`);
        return { imageId };
      },
      async delete(imageId) {
        guard();
        if (!fake.images.delete(imageId)) throw new NotFoundError(`Image '${imageId}' not found`);
      },
    },
    sandboxes: {
      async create(app, image, params = {}) {
        guard();
        fake.fault('create');
        if (![...fake.apps.values()].some((a) => a.appId === app.appId))
          throw new NotFoundError('App not found');
        let imageId = image.imageId;
        if (imageId.startsWith('registry:')) {
          const tag = imageId.slice('registry:'.length);
          if (fake.badImages.has(tag))
            throw new InvalidError(`Image build for '${tag}' failed: manifest unknown`);
          imageId = `im-${randomBytes(8).toString('hex')}`;
          fake.images.set(imageId, { imageId, tag });
        } else if (!fake.images.has(imageId)) {
          throw new NotFoundError(`Image '${imageId}' not found`);
        }
        if (params.timeoutMs !== undefined && params.timeoutMs > 86_400_000) {
          throw new InvalidError('timeout must be at most 24 hours');
        }
        const tunnels = tunnelsFor(params);
        const sb: FakeModalSandbox = {
          sandboxId: `sb-${randomBytes(10).toString('hex')}`,
          appId: app.appId,
          imageId,
          params: { ...params },
          tags: { ...(params.tags ?? {}) },
          running: fake.exitOnStart === undefined,
          exitCode: fake.exitOnStart ?? null,
          home: mkdtempSync(join(tmpdir(), 'sbx-fake-modal-home-')),
          env: { ...(params.env ?? {}) },
          children: new Set<ChildProcess>(),
          tunnels,
          logs: [],
        };
        fake.sandboxes.set(sb.sandboxId, sb);
        return ref(sb);
      },
      async fromId(sandboxId) {
        guard();
        fake.fault('fromId');
        const sb = fake.sandboxes.get(sandboxId);
        if (!sb) throw new NotFoundError(`Sandbox with id: '${sandboxId}' not found`);
        return ref(sb);
      },
      list(params = {}) {
        return (async function* () {
          guard();
          fake.fault('list');
          for (const sb of [...fake.sandboxes.values()]) {
            if (!sb.running) continue;
            if (params.appId && sb.appId !== params.appId) continue;
            if (!Object.entries(params.tags ?? {}).every(([k, v]) => sb.tags[k] === v)) continue;
            yield ref(sb);
          }
        })();
      },
    },
    close() {
      if (!closed) fake.openClients -= 1;
      closed = true;
    },
  };
}

export { ResourceExhaustedError, InvalidError, NotFoundError, ConflictError };
