/**
 * The narrow edge between ext.modal and Modal: only the calls the adapter makes, shaped so that the official
 * `modal` client (`ModalClient` from `modal@^0.11`) satisfies it structurally (tests/cloud/modal-contract.test.ts
 * checks this at type level and by construction). Modal speaks gRPC, so adapter tests run against an in-memory
 * implementation of this interface instead of a fake server (tests/fakes/modal-fake.ts).
 */
export interface ModalAppRef {
  readonly appId: string;
}

export interface ModalImageRef {
  readonly imageId: string;
}

export interface ModalSandboxCreateParams {
  /** Physical cores (1 core = 2 vCPU). */
  cpu?: number;
  memoryMiB?: number;
  /** e.g. "T4", "A100:2". */
  gpu?: string;
  timeoutMs?: number;
  idleTimeoutMs?: number;
  env?: Record<string, string>;
  tags?: Record<string, string>;
  regions?: string[];
  /** Ports tunnelled with TLS (Modal terminates TLS; the container serves plain HTTP/TCP): our http ports. */
  encryptedPorts?: number[];
  /** Ports tunnelled as raw TCP: our tcp ports. */
  unencryptedPorts?: number[];
}

/** A port forwarded from the sandbox (the SDK's `Tunnel`): `url` is `https://host[:port]`. */
export interface ModalTunnelRef {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  readonly unencryptedHost?: string | undefined;
  readonly unencryptedPort?: number | undefined;
}

/** `Sandbox.exec` parameters the adapter passes; always binary mode so bytes pass unchanged. */
export interface ModalExecParams {
  mode: 'binary';
  /** Absolute (the SDK refuses a relative workdir). */
  workdir?: string;
  env?: Record<string, string>;
  /** Modal ends the process after this (a multiple of 1000, > 0); our own, shorter bound fires first. */
  timeoutMs?: number;
}

/** The SDK's `ContainerProcess<Uint8Array>`: web streams, and the exit code (128 + signal when killed). */
export interface ModalProcessRef {
  readonly stdin: WritableStream<Uint8Array>;
  readonly stdout: ReadableStream<Uint8Array>;
  readonly stderr: ReadableStream<Uint8Array>;
  wait(): Promise<number>;
}

/** One persisted entrypoint log line (the SDK's `LogEntry`). */
export interface ModalLogEntry {
  readonly message: string;
  readonly source: 'system' | 'stdout' | 'stderr';
  readonly timestamp: Date;
}

/** The SDK's `SandboxLogsManager`: the main process's persisted stdout/stderr (no follow: we poll fetch). */
export interface ModalSandboxLogs {
  tail(params?: { entries?: number }): AsyncIterable<ModalLogEntry>;
  fetch(params: { since: Date; until?: Date }): AsyncIterable<ModalLogEntry>;
}

export interface ModalSandboxRef {
  readonly sandboxId: string;
  getTags(): Promise<Record<string, string>>;
  setTags(tags: Record<string, string>): Promise<void>;
  terminate(): Promise<void>;
  /** null while running, the exit code once finished. */
  poll(): Promise<number | null>;
  /** `ttlMs`: the image's lifetime from creation (Modal's default when omitted: 30 days). */
  snapshotFilesystem(params?: { timeoutMs?: number; ttlMs?: number | null }): Promise<ModalImageRef>;
  exec(command: string[], params: ModalExecParams): Promise<ModalProcessRef>;
  /** Tunnels of the ports declared at create, keyed by container port. */
  tunnels(timeoutMs?: number): Promise<Record<number, ModalTunnelRef>>;
  readonly logs: ModalSandboxLogs;
}

export interface ModalApi {
  apps: {
    fromName(
      name: string,
      params?: { environment?: string; createIfMissing?: boolean },
    ): Promise<ModalAppRef>;
  };
  images: {
    fromRegistry(tag: string): ModalImageRef;
    fromId(imageId: string): Promise<ModalImageRef>;
    delete(imageId: string): Promise<void>;
  };
  sandboxes: {
    create(
      app: ModalAppRef,
      image: ModalImageRef,
      params?: ModalSandboxCreateParams,
    ): Promise<ModalSandboxRef>;
    fromId(sandboxId: string): Promise<ModalSandboxRef>;
    list(params?: {
      appId?: string;
      tags?: Record<string, string>;
      environment?: string;
    }): AsyncIterable<ModalSandboxRef>;
  };
  close(): void;
}

export interface ModalCredentials {
  tokenId: string;
  tokenSecret: string;
  environment?: string;
}

/** Makes one client per operation; the adapter closes it when done so no gRPC channel keeps the CLI alive. */
export type ModalApiFactory = (creds: ModalCredentials) => Promise<ModalApi>;

/** The official SDK, imported on first use. It reads the control-plane URL from MODAL_SERVER_URL itself. */
export const realModalApi: ModalApiFactory = async (creds) => {
  const { ModalClient } = await import('modal');
  const client: ModalApi = new ModalClient({
    tokenId: creds.tokenId,
    tokenSecret: creds.tokenSecret,
    ...(creds.environment ? { environment: creds.environment } : {}),
  });
  return client;
};
