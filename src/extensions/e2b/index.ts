import type { ExtensionManifest } from '../../catalog/schema.ts';
import { BackendError, SandboxerError } from '../../core/errors.ts';
import { LABEL } from '../../core/labels.ts';
import type { Handle } from '../../core/record.ts';
import { manifestPricing } from '../pricing.ts';
import { notYet, poll, ready } from '../../core/poll.ts';
import { noteNothingMade, refusedCreate } from '../made-nothing.ts';
import { cloudMeter, configEnv, providerTimeoutSeconds } from '../cloud-common.ts';
import type {
  BackendObject,
  Extension,
  ExtensionContext,
  ProvisionContext,
  ProvisionResult,
} from '../contract.ts';
import { e2bAccess, portsHandle } from './access.ts';
import { e2bCaller } from './sdk.ts';

/**
 * ext.e2b: metered cloud sandboxes on E2B through the official `e2b` SDK (loaded lazily, so the CLI starts fast).
 *
 * - provision: `Sandbox.create(template)` with the remaining TTL as the E2B timeout, `config.env` as envs and the
 *   ownership labels as metadata; the sandbox id is saved as soon as E2B returns it.
 * - waitReady: connect, then poll envd's health until the sandbox answers; the real allocation (vCPU, MiB) and
 *   E2B's start time go into the handle for metering.
 * - teardown: kill (404 = already gone = success); without a saved id, kill whatever carries our sandbox id.
 * - extend TTL: set-timeout. Snapshot: the snapshots API (the snapshot outlives the sandbox); restore: create from
 *   the snapshot id. List: the metadata filter over every page.
 * - access (access.ts): endpoints from the profile's ports (saved in the handle at provision), exec through envd's
 *   process service, files as a tar moved through envd's file API. No service logs on E2B: `logs` is absent.
 *
 * Connection: `config.api_url` or `E2B_API_URL` (else the SDK's default from `E2B_DOMAIN`), `E2B_SANDBOX_URL` for
 * envd. The API key arrives as the `api_key` secret and goes nowhere but the SDK's header.
 */
export function e2b(manifest: ExtensionManifest): Extension {
  const id = manifest.id;

  const call = e2bCaller(id);
  const access = e2bAccess(id, call);

  async function kill(ctx: ExtensionContext, sandboxId: string): Promise<void> {
    // false = 404: already gone, which is what teardown wants.
    await call(ctx, 'kill', (conn, { Sandbox }) => Sandbox.kill(sandboxId, conn));
  }

  async function listObjects(
    ctx: ExtensionContext,
    filter: Record<string, string>,
  ): Promise<BackendObject[]> {
    return call(ctx, 'list', async (conn, { Sandbox }) => {
      const pager = Sandbox.list({
        ...conn,
        query: { metadata: { [LABEL.managed]: 'true', ...filter }, state: ['running', 'paused'] },
        limit: Number(ctx.config.list_page_size ?? 100),
      });
      const out: BackendObject[] = [];
      while (pager.hasNext) {
        for (const sb of await pager.nextItems()) {
          const sandboxId = sb.metadata[LABEL.sandboxId];
          out.push({
            backend_id: sb.sandboxId,
            labels: sb.metadata,
            created_at: sb.startedAt.toISOString(),
            handle: { backend_id: sb.sandboxId, state: sb.state },
            ...(sandboxId ? { sandbox_id: sandboxId } : {}),
          });
        }
      }
      return out;
    });
  }

  async function create(
    ctx: ProvisionContext,
    template: string,
    extra: Handle = {},
  ): Promise<ProvisionResult> {
    const timeout_s = providerTimeoutSeconds(id, ctx.sandbox, ctx.config);
    const sandboxId = await call(ctx, 'create', async (conn, { Sandbox }) => {
      const sb = await Sandbox.create(template, {
        ...conn,
        timeoutMs: timeout_s * 1000,
        metadata: ctx.labels,
        envs: configEnv(ctx.config),
      });
      return sb.sandboxId;
    }).catch((err: unknown) => {
      // E2B refused the request (bad key, unknown template, quota): nothing exists to clean up.
      if (refusedCreate(err)) noteNothingMade(ctx.sandbox.id);
      throw err;
    });
    const handle: Handle = {
      backend_id: sandboxId,
      template,
      started_at: new Date().toISOString(),
      ...portsHandle(ctx.profile.ports),
      ...extra,
    };
    await ctx.saveHandle(handle);
    return { handle, placement: { provider: 'e2b', template } };
  }

  return {
    id,
    ...access,

    provision: (ctx) => create(ctx, String(ctx.config.template ?? 'base')),

    async waitReady(ctx, handle) {
      const sandboxId = String(handle.backend_id);
      const timeout_s = providerTimeoutSeconds(id, ctx.sandbox, ctx.config);
      const sb = await call(ctx, 'connect', (conn, { Sandbox }) =>
        Sandbox.connect(sandboxId, { ...conn, timeoutMs: timeout_s * 1000 }),
      );
      // envd answers 502 until the sandbox is up; a transient failure of the probe itself is also "not yet".
      // The manager bounds the whole wait (ready_timeout_s) through ctx.signal.
      await poll(
        async () => {
          const healthy = await call(ctx, 'health', (conn) =>
            sb.isRunning({ requestTimeoutMs: 5000, signal: conn.signal }),
          ).catch((err: unknown) => {
            if (err instanceof SandboxerError && err.retryable && !ctx.signal.aborted) return false;
            throw err;
          });
          return healthy ? ready(undefined) : notYet('envd is not answering yet');
        },
        { signal: ctx.signal },
      );
      const info = await call(ctx, 'get', (conn, { Sandbox }) => Sandbox.getInfo(sandboxId, conn));
      await ctx.saveHandle({
        cpu_count: info.cpuCount,
        memory_mb: info.memoryMB,
        started_at: info.startedAt.toISOString(),
      });
    },

    async teardown(ctx) {
      const sandboxId = ctx.sandbox.handle.backend_id;
      if (typeof sandboxId === 'string') return kill(ctx, sandboxId);
      // No id was saved (create was cut short): find anything E2B made for this sandbox by its label.
      for (const obj of await listObjects(ctx, { [LABEL.sandboxId]: ctx.sandbox.id })) {
        await kill(ctx, obj.backend_id);
      }
    },

    ...manifestPricing(manifest),

    meterActual: ({ sandbox, ended_at }) => cloudMeter(manifest, sandbox, ended_at),

    list: listObjects,

    teardownObject: (ctx, object) => kill(ctx, object.backend_id),

    async extendTtl(ctx, _expiresAt, ttlFromNow_s) {
      const sandboxId = String(ctx.sandbox.handle.backend_id);
      const max = Number(ctx.config.max_timeout_s ?? 86_400);
      if (ttlFromNow_s > max) {
        throw new BackendError(
          id,
          `E2B cannot keep a sandbox for another ${ttlFromNow_s}s (maximum ${max}s)`,
          {
            retryable: false,
            hint: 'extend by less, or raise config.max_timeout_s if your E2B plan allows longer sessions',
          },
        );
      }
      await call(ctx, 'set-timeout', (conn, { Sandbox }) =>
        Sandbox.setTimeout(sandboxId, ttlFromNow_s * 1000, conn),
      );
    },

    async snapshot(ctx) {
      const sandboxId = String(ctx.sandbox.handle.backend_id);
      // Our snapshot name stays in our record: E2B names are team-wide and would collide on reuse.
      const snap = await call(ctx, 'snapshot', (conn, { Sandbox }) =>
        Sandbox.createSnapshot(sandboxId, conn),
      );
      return { handle: { snapshot_backend_id: snap.snapshotId, of: sandboxId } };
    },

    restore: (ctx, snapshot) => {
      const snapId = String(snapshot.handle.snapshot_backend_id);
      return create(ctx, snapId, { restored_from: snapId });
    },

    async deleteSnapshot(ctx, snapshot) {
      const snapId = String(snapshot.handle.snapshot_backend_id);
      await call(ctx, 'delete-snapshot', (conn, { Sandbox }) => Sandbox.deleteSnapshot(snapId, conn));
    },
  };
}
