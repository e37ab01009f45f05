import type { SandboxRecord, SnapshotRecord } from '../core/record.ts';
import type { Endpoint, ExecRequest, ExecResult, OutputSink } from '../extensions/contract.ts';
import { SandboxAccess } from './access.ts';
import type { SandboxManager } from './manager.ts';
import type { CreateOptions, DestroyOptions } from './options.ts';
import type { ExtendResult } from './ttl.ts';

/**
 * One live sandbox for a library user, as testcontainers' started container is: made by `createSandbox`, used
 * through its methods, torn down by `destroy()` or at the end of its scope with `await using`:
 *
 *     await using sbx = await createSandbox(manager, { profileId: 'profile.saas-stub' });
 *     await sbx.exec({ shell: 'make test' }, { stdout: …, stderr: … });
 *     // leaving the block destroys it (idempotent: an earlier destroy() makes this a no-op)
 *
 * Every method goes through the manager, so records, hooks, meters and the ledger follow as for the CLI.
 */
export class Sandbox implements AsyncDisposable {
  private last: SandboxRecord;

  constructor(
    readonly manager: SandboxManager,
    record: SandboxRecord,
  ) {
    this.last = record;
  }

  get id(): string {
    return this.last.id;
  }

  /** The record as last read by this handle (`refresh()` reads it again). */
  get record(): SandboxRecord {
    return this.last;
  }

  async refresh(): Promise<SandboxRecord> {
    return (this.last = await this.manager.get(this.id));
  }

  /** Tear it down (idempotent: destroying a destroyed sandbox changes nothing). */
  async destroy(opts: DestroyOptions = {}): Promise<SandboxRecord> {
    return (this.last = await this.manager.destroy(this.id, opts));
  }

  /** Move its expiry `duration` (e.g. `30m`) from now, within the profile's bounds. */
  async extendTtl(duration: string): Promise<ExtendResult> {
    const result = await this.manager.extendTtl(this.id, duration);
    await this.refresh();
    return result;
  }

  snapshot(name?: string): Promise<SnapshotRecord> {
    return this.manager.snapshot(this.id, name);
  }

  endpoints(opts: { signal?: AbortSignal } = {}): Promise<Endpoint[]> {
    return new SandboxAccess(this.manager).endpoints(this.id, opts);
  }

  exec(req: ExecRequest, out: OutputSink, opts: { signal?: AbortSignal } = {}): Promise<ExecResult> {
    return new SandboxAccess(this.manager).exec(this.id, req, out, opts);
  }

  /** `await using`: the sandbox is destroyed when the scope ends, however it ends. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.destroy();
  }
}

/** Create a sandbox (as `manager.create`) and return its handle. */
export async function createSandbox(manager: SandboxManager, opts: CreateOptions = {}): Promise<Sandbox> {
  return new Sandbox(manager, await manager.create(opts));
}
