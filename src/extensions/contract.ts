import type { ExtensionManifest, Placement, Profile, Resources } from '../catalog/schema.ts';
import type { Handle, Meter, SandboxRecord, SnapshotRecord } from '../core/record.ts';
import type { Logger } from '../core/logger.ts';
import type { MuxExecRoute } from './ssh/place.ts';

/**
 * The extension contract. An extension is a table of methods over one backend; the manager owns every lifecycle
 * transition and calls these in order. Rules every implementation follows (the conformance suite checks them):
 * - provision reports each backend object as soon as it exists via `ctx.saveHandle`, so a crash or a
 *   cancellation mid-provision leaves a record that teardown can act on;
 * - teardown is idempotent: a second call, or a call on a half-provisioned handle, succeeds;
 * - every backend object carries `ctx.labels` (ownership labels) so `list` can find it for reaping, and
 *   `teardownObject` removes a listed object by itself (idempotently);
 * - errors are thrown as BackendError with `retryable` set (429/5xx/capacity/network) or not (auth, bad input);
 * - secrets arrive in `ctx.secrets` (memory only) and must not be put in handles, labels, logs or errors.
 */
export interface Secrets {
  get(name: string): string | undefined;
  has(name: string): boolean;
}

export interface ExtensionContext {
  manifest: ExtensionManifest;
  /** Manifest config overlaid by the profile's config. */
  config: Record<string, unknown>;
  secrets: Secrets;
  signal: AbortSignal;
  log: Logger;
  env: NodeJS.ProcessEnv;
  /** The profile's placement when the context was made for a profile (listing and reaping per profile). */
  placement?: Placement;
  /** For `list`: the handles of the records this caller holds for the extension. A listing also looks where
   *  they say their objects live (a workspace root, a region), since today's env may not name those places. */
  known?: Handle[];
}

export interface ProvisionContext extends ExtensionContext {
  sandbox: Readonly<SandboxRecord>;
  profile: Profile;
  labels: Record<string, string>;
  /** Persist (merge) handle fields right away; call it as soon as a backend object exists. */
  saveHandle(patch: Handle): Promise<void>;
}

export interface ProvisionResult {
  handle: Handle;
  placement?: Record<string, string>;
}

export interface TeardownContext extends ExtensionContext {
  sandbox: Readonly<SandboxRecord>;
}

export interface CostEstimate {
  usd: string;
  basis: string;
}

export interface BackendObject {
  /** The backend's own id for the object (container project, remote dir, provider sandbox id). */
  backend_id: string;
  sandbox_id?: string;
  labels: Record<string, string>;
  created_at?: string;
  /** Enough to tear it down without a record. */
  handle: Handle;
}

export interface SnapshotResult {
  handle: Handle;
  /** When the backend deletes the snapshot by itself (a provider-side lifetime); the index records it. */
  expires_at?: string;
}

/** What a precheck sees: the request as given, before any record, ledger entry or backend call. */
export interface PrecheckInput {
  manifest: ExtensionManifest;
  profile: Profile;
  /** Manifest config overlaid by the profile's config. */
  config: Record<string, unknown>;
  inputs: Readonly<Record<string, string>>;
  log: Logger;
  env: NodeJS.ProcessEnv;
}

export interface Extension extends AccessMethods {
  readonly id: string;
  /** Refuse a request that can never succeed here (a usage or validation error) from local checks only. */
  precheck?(input: PrecheckInput): void;
  provision(ctx: ProvisionContext): Promise<ProvisionResult>;
  waitReady(ctx: ProvisionContext, handle: Handle): Promise<void>;
  teardown(ctx: TeardownContext): Promise<void>;
  estimateCost(input: { resources: Resources; ttl_s: number; manifest: ExtensionManifest }): CostEstimate;
  meterActual(input: {
    sandbox: Readonly<SandboxRecord>;
    manifest: ExtensionManifest;
    ended_at: string;
  }): Meter;
  /** Every backend object carrying our ownership labels (all pages), for reaping. */
  list?(ctx: ExtensionContext, filter: Record<string, string>): Promise<BackendObject[]>;
  /**
   * Tear down one object `list` returned, from the object alone (its `handle`): how the reaper removes an orphan
   * no live record owns, without inventing a record for it. Idempotent: an object already gone is success.
   * Every extension with `list` has it (the `list` capability needs both).
   */
  teardownObject?(ctx: ExtensionContext, object: BackendObject): Promise<void>;
  snapshot?(ctx: TeardownContext, name: string | undefined): Promise<SnapshotResult>;
  restore?(ctx: ProvisionContext, snapshot: Readonly<SnapshotRecord>): Promise<ProvisionResult>;
  deleteSnapshot?(ctx: ExtensionContext, snapshot: Readonly<SnapshotRecord>): Promise<void>;
  /** Push a new expiry to the backend. Absent when the backend cannot extend (the manager says so). */
  extendTtl?(ctx: TeardownContext, expiresAt: string, ttlFromNow_s: number): Promise<void>;
}

export type ExtensionFactory = (manifest: ExtensionManifest) => Extension;

// ------------------------------------------------------------------ access (using a live sandbox)
// Optional methods; the manager answers `unsupported` (naming the extension) when an adapter lacks one.

/** One reachable port of a sandbox: `service`/`port` inside it, `host:host_port` from outside. */
export interface Endpoint {
  /** Compose service, or a fixed name such as `sandbox` for single-container backends. */
  service: string;
  /** The port inside the sandbox (container port, E2B/Modal port). */
  port: number;
  /** Where a client outside connects: the placement host, a provider hostname or a tunnel host. */
  host: string;
  host_port: number;
  protocol: 'tcp' | 'http';
  /** A URL for http endpoints (`http://host:host_port`, or the provider's https URL). */
  url?: string;
  /** Set when the URL carries a credential (a tunnel token): the action masks it. */
  secret?: boolean;
}

export interface ExecRequest {
  /** Run without a shell: argv[0] is the program. Exactly one of argv or shell. */
  argv?: string[];
  /** A shell command line, run with `sh -c`. */
  shell?: string;
  /** Run inside this service's container (compose); default: the sandbox's workspace / main container. */
  service?: string;
  cwd?: string;
  env?: Record<string, string>;
  /** Bytes sent to the command's stdin, then closed. */
  stdin?: Buffer | string;
  /** A bound of its own for this command; the manager also races it against the caller's signal. */
  timeout_s?: number;
}

export interface OutputSink {
  stdout(chunk: Buffer): void;
  stderr(chunk: Buffer): void;
}

export interface ExecResult {
  exit_code: number;
  /** Set when the command was ended by a signal (timeout or cancel). */
  signal?: string;
  timed_out?: boolean;
}

export interface LogsRequest {
  service?: string;
  tail?: number;
  /** ISO time or a duration such as `10m`. */
  since?: string;
  follow?: boolean;
}

export interface FilesRequest {
  /** Absolute, or relative to the workspace (SSH backends) / the home directory (cloud). */
  path: string;
  service?: string;
}

export type AccessContext = TeardownContext & {
  /** Told how an exec went through the SSH mux agent, for the CLI's warm exec path (cli/exec-route/). */
  execRoute?: (route: MuxExecRoute) => void;
};

export interface AccessMethods {
  /** Reachable ports now (service/port → host:port and URL). */
  endpoints?(ctx: AccessContext): Promise<Endpoint[]>;
  /** Run one command; output streamed to `out`; the exit code returned (non-zero is not an error). */
  exec?(ctx: AccessContext, req: ExecRequest, out: OutputSink): Promise<ExecResult>;
  /** Service logs to `out`; with follow, until ctx.signal aborts. */
  logs?(ctx: AccessContext, req: LogsRequest, out: OutputSink): Promise<void>;
  /** Extract a tar stream at req.path (a directory, created if missing). */
  putFiles?(ctx: AccessContext, req: FilesRequest, tar: NodeJS.ReadableStream): Promise<void>;
  /** A tar stream of req.path (a file or a directory), entries relative to its parent. */
  getFiles?(ctx: AccessContext, req: FilesRequest): Promise<NodeJS.ReadableStream>;
}

export type AccessCapability = 'endpoints' | 'exec' | 'logs' | 'files';
