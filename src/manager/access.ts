import { SandboxerError } from '../core/errors.ts';
import type { SandboxRecord } from '../core/record.ts';
import type {
  AccessCapability,
  AccessContext,
  AccessMethods,
  Endpoint,
  ExecRequest,
  ExecResult,
  FilesRequest,
  LogsRequest,
  OutputSink,
} from '../extensions/contract.ts';
import type { MuxExecRoute } from '../extensions/ssh/place.ts';
import type { AccessSource } from './access-source.ts';

/**
 * Using a live sandbox: endpoints, exec, logs and files, the same on every backend. Reads only (no lifecycle
 * transition happens here); every call goes through the manager's record, catalog and credential resolution, so
 * the CLI, the action and the API cannot disagree.
 */
export class SandboxAccess {
  /** A SandboxManager, or the CLI's lighter openAccessSource (the same record, catalog and gateway). */
  constructor(private readonly manager: AccessSource) {}

  async endpoints(id: string, opts: { signal?: AbortSignal } = {}): Promise<Endpoint[]> {
    const { ext, ctx } = await this.open(id, 'endpoints', opts.signal);
    return ext.endpoints!(ctx);
  }

  async exec(
    id: string,
    req: ExecRequest,
    out: OutputSink,
    opts: {
      signal?: AbortSignal;
      /** Told, with the record it ran against, how the exec went through an SSH mux agent (the CLI's warm path). */
      execRoute?: (route: MuxExecRoute, record: SandboxRecord) => void;
    } = {},
  ): Promise<ExecResult> {
    if ((req.argv === undefined) === (req.shell === undefined))
      throw new SandboxerError('usage', 'exec needs exactly one of a command (argv) or a shell string');
    if (req.argv && req.argv.length === 0) throw new SandboxerError('usage', 'exec needs a command to run');
    const { ext, ctx, record } = await this.open(id, 'exec', opts.signal);
    const tell = opts.execRoute;
    return ext.exec!(tell ? { ...ctx, execRoute: (route) => tell(route, record) } : ctx, req, out);
  }

  async logs(
    id: string,
    req: LogsRequest,
    out: OutputSink,
    opts: { signal?: AbortSignal } = {},
  ): Promise<void> {
    const { ext, ctx } = await this.open(id, 'logs', opts.signal);
    return ext.logs!(ctx, req, out);
  }

  async putFiles(
    id: string,
    req: FilesRequest,
    tar: NodeJS.ReadableStream,
    opts: { signal?: AbortSignal } = {},
  ): Promise<void> {
    const { ext, ctx } = await this.open(id, 'files', opts.signal);
    return ext.putFiles!(ctx, req, tar);
  }

  async getFiles(
    id: string,
    req: FilesRequest,
    opts: { signal?: AbortSignal } = {},
  ): Promise<NodeJS.ReadableStream> {
    const { ext, ctx } = await this.open(id, 'files', opts.signal);
    return ext.getFiles!(ctx, req);
  }

  private async open(
    id: string,
    capability: AccessCapability,
    signal: AbortSignal | undefined,
  ): Promise<{ ext: AccessMethods; ctx: AccessContext; record: SandboxRecord }> {
    const record = await this.manager.get(id);
    if (record.state !== 'ready')
      throw new SandboxerError(
        'illegal_transition',
        `sandbox ${id} is ${record.state}; only a ready sandbox can be used`,
        {
          hint: `run 'sandboxer get ${id}' to see why`,
        },
      );
    const { ext, manifest } = this.manager.gateway.extensionFor(record);
    const method = { endpoints: ext.endpoints, exec: ext.exec, logs: ext.logs, files: ext.putFiles }[
      capability
    ];
    if (!method || !manifest.capabilities[capability])
      throw new SandboxerError('unsupported', `${manifest.id} does not support ${capability}`, {
        hint: `run 'sandboxer extensions list' to see which extensions support ${capability}`,
      });
    const profile = this.manager.gateway.profileOrUndefined(record.profile_id);
    const ctx = await this.manager.gateway.contextFor(manifest, {
      config: record.config,
      ...(profile ? { profile } : {}),
      ...(signal ? { signal } : {}),
    });
    return { ext, ctx: { ...ctx, sandbox: record }, record };
  }
}
