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
}

export interface ModalSandboxRef {
  readonly sandboxId: string;
  getTags(): Promise<Record<string, string>>;
  setTags(tags: Record<string, string>): Promise<void>;
  terminate(): Promise<void>;
  /** null while running, the exit code once finished. */
  poll(): Promise<number | null>;
  snapshotFilesystem(params?: { timeoutMs?: number }): Promise<ModalImageRef>;
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
