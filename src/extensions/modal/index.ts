import type { ExtensionManifest, Resources } from '../../catalog/schema.ts';
import { BackendError, SandboxerError } from '../../core/errors.ts';
import { LABEL } from '../../core/labels.ts';
import type { Handle } from '../../core/record.ts';
import { manifestPricing } from '../pricing.ts';
import { noteNothingMade } from '../made-nothing.ts';
import { abortable, cloudMeter, configEnv, providerTimeoutSeconds } from '../cloud-common.ts';
import { modalAccess, type ModalSession } from './access.ts';
import type {
  BackendObject,
  Extension,
  ExtensionContext,
  ExtensionFactory,
  ProvisionContext,
  ProvisionResult,
} from '../contract.ts';
import {
  realModalApi,
  type ModalApi,
  type ModalApiFactory,
  type ModalImageRef,
  type ModalSandboxCreateParams,
} from './api.ts';
import { isModalNotFound, isModalRefusal, mapModalError } from './errors.ts';

/**
 * ext.modal: metered cloud sandboxes on Modal through the official `modal` SDK (^0.11), behind the narrow
 * `ModalApi` edge so tests can run the adapter against an in-memory Modal.
 *
 * - provision: `sandboxes.create` in the app `config.app` (created if missing) from `config.image` (a registry
 *   ref), with the profile's resources (vCPU → physical cores: Modal counts 1 core = 2 vCPU), GPU, `config.env`,
 *   the remaining TTL as Modal's timeout and the ownership labels as tags.
 * - waitReady: the sandbox is running (poll() = null); an exit before ready is a failure.
 * - teardown: terminate (not found = already gone = success); without a saved id, terminate whatever carries
 *   our sandbox id tag.
 * - extend TTL: not possible on Modal (the timeout is fixed at create): no `extendTtl`, and the manifest says
 *   `extend_ttl: false, host_expiry: true`, so the manager refuses with `unsupported`.
 * - snapshot: snapshotFilesystem (an Image) with an explicit lifetime (`config.snapshot_ttl_s`, default Modal's
 *   own 30 days), recorded as the snapshot's `expires_at` so the index and Modal agree; restore: create from it.
 * - list: every running sandbox with our tags; the creation time comes from our `created-at` tag (Modal's list
 *   carries none), so the reaper can age an orphan.
 * - access (./access.ts): the profile's ports are declared at create (http → TLS tunnels, tcp → raw TCP) and
 *   kept in the handle; endpoints are their tunnels; exec, logs and tar files through the SDK.
 */
/** Modal's own default image lifetime for a filesystem snapshot (30 days). */
export const MODAL_SNAPSHOT_TTL_S = 30 * 24 * 3600;
export function modalExtension(deps: { api?: ModalApiFactory } = {}): ExtensionFactory {
  const factory = deps.api ?? realModalApi;

  return (manifest: ExtensionManifest): Extension => {
    const id = manifest.id;

    async function open(ctx: ExtensionContext, op: string): Promise<ModalSession> {
      const tokenId = ctx.secrets.get('token_id');
      const tokenSecret = ctx.secrets.get('token_secret');
      if (!tokenId || !tokenSecret) {
        throw new SandboxerError('credentials', `${id}: no Modal token was resolved`, {
          hint: 'set MODAL_TOKEN_ID and MODAL_TOKEN_SECRET (the token_id / token_secret credentials of ext.modal)',
        });
      }
      const environment = typeof ctx.config.environment === 'string' ? ctx.config.environment : undefined;
      const fail = (err: unknown) =>
        mapModalError(id, op, err, { signal: ctx.signal, secrets: [tokenId, tokenSecret] });
      try {
        const connecting = factory({ tokenId, tokenSecret, ...(environment ? { environment } : {}) });
        // A client that connects after we stopped waiting is closed as soon as it exists.
        const api = await abortable(connecting, ctx.signal).catch((err: unknown) => {
          void connecting.then(
            (late) => late.close(),
            () => undefined,
          );
          throw err;
        });
        return { api, fail, close: () => api.close() };
      } catch (err) {
        throw fail(err);
      }
    }

    async function withApi<T>(
      ctx: ExtensionContext,
      op: string,
      fn: (api: ModalApi) => Promise<T>,
    ): Promise<T> {
      const s = await open(ctx, op);
      try {
        // Modal's calls take no AbortSignal: stop waiting on cancellation; teardown deals with what was made.
        return await abortable(fn(s.api), ctx.signal);
      } catch (err) {
        throw s.fail(err);
      } finally {
        s.close();
      }
    }

    async function terminate(api: ModalApi, sandboxId: string): Promise<void> {
      try {
        const sb = await api.sandboxes.fromId(sandboxId);
        await sb.terminate();
      } catch (err) {
        if (!isModalNotFound(err)) throw err;
      }
    }

    async function listObjects(
      ctx: ExtensionContext,
      filter: Record<string, string>,
    ): Promise<BackendObject[]> {
      return withApi(ctx, 'list', async (api) => {
        const out: BackendObject[] = [];
        for await (const sb of api.sandboxes.list({ tags: { [LABEL.managed]: 'true', ...filter } })) {
          const labels = await sb.getTags();
          const sandboxId = labels[LABEL.sandboxId];
          const created = labels[LABEL.createdAt];
          out.push({
            backend_id: sb.sandboxId,
            labels,
            handle: { backend_id: sb.sandboxId },
            ...(sandboxId ? { sandbox_id: sandboxId } : {}),
            ...(created && !Number.isNaN(Date.parse(created)) ? { created_at: created } : {}),
          });
        }
        return out;
      });
    }

    async function create(
      ctx: ProvisionContext,
      image: (api: ModalApi) => Promise<ModalImageRef>,
      extra: Handle,
    ): Promise<ProvisionResult> {
      const timeout_s = providerTimeoutSeconds(id, ctx.sandbox, ctx.config);
      const appName = String(ctx.config.app ?? 'sandboxer');
      const ports = ctx.profile.ports.map((p) => ({ port: p.port, protocol: p.protocol }));
      const params: ModalSandboxCreateParams = {
        ...modalResources(ctx.profile.resources),
        timeoutMs: timeout_s * 1000,
        env: configEnv(ctx.config),
        // Modal's list() reports no creation time: carry it in a tag so a leaked sandbox can be aged and reaped.
        tags: { ...ctx.labels, [LABEL.createdAt]: new Date().toISOString() },
        ...(Array.isArray(ctx.config.regions) ? { regions: ctx.config.regions.map(String) } : {}),
        ...modalPorts(ports),
      };
      const sandboxId = await withApi(ctx, 'create', async (api) => {
        try {
          const app = await api.apps.fromName(appName, { createIfMissing: true });
          const sb = await api.sandboxes.create(app, await image(api), params);
          return sb.sandboxId;
        } catch (err) {
          // Modal refused the request (bad token, bad image or input): nothing exists to clean up.
          if (isModalRefusal(err)) noteNothingMade(ctx.sandbox.id);
          throw err;
        }
      });
      const handle: Handle = {
        backend_id: sandboxId,
        app: appName,
        started_at: new Date().toISOString(),
        // Only ports declared at create are reachable on Modal: endpoints reports these, whatever the profile says later.
        ...(ports.length ? { ports: JSON.stringify(ports) } : {}),
        ...extra,
      };
      await ctx.saveHandle(handle);
      return { handle, placement: { provider: 'modal', app: appName } };
    }

    return {
      id,

      provision: (ctx) => {
        const ref = String(ctx.config.image ?? 'python:3.12-slim');
        return create(ctx, async (api) => api.images.fromRegistry(ref), { image: ref });
      },

      async waitReady(ctx, handle) {
        const sandboxId = String(handle.backend_id);
        const exit = await withApi(ctx, 'wait-ready', async (api) =>
          (await api.sandboxes.fromId(sandboxId)).poll(),
        );
        if (exit !== null) {
          throw new BackendError(id, `sandbox ${sandboxId} exited (code ${exit}) before it was ready`, {
            retryable: false,
            hint: "check that config.image keeps running (Modal runs the image's default command)",
          });
        }
      },

      async teardown(ctx) {
        const sandboxId = ctx.sandbox.handle.backend_id;
        if (typeof sandboxId === 'string') {
          return withApi(ctx, 'terminate', (api) => terminate(api, sandboxId));
        }
        // No id was saved (create was cut short): find what Modal made for this sandbox by its tag.
        const leftovers = await listObjects(ctx, { [LABEL.sandboxId]: ctx.sandbox.id });
        if (leftovers.length === 0) return;
        await withApi(ctx, 'terminate', async (api) => {
          for (const o of leftovers) await terminate(api, o.backend_id);
        });
      },

      ...manifestPricing(manifest),

      meterActual: ({ sandbox, ended_at }) => cloudMeter(manifest, sandbox, ended_at),

      list: listObjects,

      teardownObject: (ctx, object) => withApi(ctx, 'terminate', (api) => terminate(api, object.backend_id)),

      async snapshot(ctx) {
        const sandboxId = String(ctx.sandbox.handle.backend_id);
        const ttl_s = snapshotTtlSeconds(id, ctx.config);
        // Modal counts the lifetime from the image's creation, which is after this moment: the index never
        // says "available" for an image Modal has already deleted.
        const expires_at = new Date(Date.now() + ttl_s * 1000).toISOString();
        const imageId = await withApi(ctx, 'snapshot', async (api) => {
          const sb = await api.sandboxes.fromId(sandboxId);
          return (await sb.snapshotFilesystem({ ttlMs: ttl_s * 1000 })).imageId;
        });
        return { handle: { snapshot_backend_id: imageId, of: sandboxId }, expires_at };
      },

      restore: (ctx, snapshot) => {
        const imageId = String(snapshot.handle.snapshot_backend_id);
        return create(ctx, (api) => api.images.fromId(imageId), { image: imageId, restored_from: imageId });
      },

      async deleteSnapshot(ctx, snapshot) {
        const imageId = String(snapshot.handle.snapshot_backend_id);
        await withApi(ctx, 'delete-snapshot', async (api) => {
          try {
            await api.images.delete(imageId);
          } catch (err) {
            if (!isModalNotFound(err)) throw err;
          }
        });
      },

      ...modalAccess(id, open),
    };
  };
}

/** The profile's ports as Modal's create options: http behind TLS tunnels, tcp as raw TCP tunnels. */
export function modalPorts(
  ports: { port: number; protocol: 'http' | 'tcp' }[],
): Pick<ModalSandboxCreateParams, 'encryptedPorts' | 'unencryptedPorts'> {
  const http = ports.filter((p) => p.protocol === 'http').map((p) => p.port);
  const tcp = ports.filter((p) => p.protocol === 'tcp').map((p) => p.port);
  return {
    ...(http.length ? { encryptedPorts: http } : {}),
    ...(tcp.length ? { unencryptedPorts: tcp } : {}),
  };
}

/** `config.snapshot_ttl_s` (whole seconds, at least 1), default Modal's 30 days. */
export function snapshotTtlSeconds(extId: string, config: Record<string, unknown>): number {
  const v = config.snapshot_ttl_s ?? MODAL_SNAPSHOT_TTL_S;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
    throw new SandboxerError(
      'validation',
      `${extId}: config.snapshot_ttl_s must be a whole number of seconds`,
      {
        hint: `e.g. snapshot_ttl_s: ${MODAL_SNAPSHOT_TTL_S} (30 days, Modal's default)`,
      },
    );
  return v;
}

/** Profile resources (vCPU, MiB, GPU type × count) in Modal's terms (physical cores, MiB, "T4:2"). */
export function modalResources(r: Resources): Pick<ModalSandboxCreateParams, 'cpu' | 'memoryMiB' | 'gpu'> {
  const gpu = r.gpu && r.gpu_count > 0 ? (r.gpu_count > 1 ? `${r.gpu}:${r.gpu_count}` : r.gpu) : undefined;
  return { cpu: r.cpu / 2, memoryMiB: r.memory_mib, ...(gpu ? { gpu } : {}) };
}

export const modal: ExtensionFactory = modalExtension();
