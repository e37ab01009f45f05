import type { ExtensionManifest, Resources } from '../../catalog/schema.ts';
import { BackendError, SandboxerError } from '../../core/errors.ts';
import { LABEL } from '../../core/labels.ts';
import type { Handle } from '../../core/record.ts';
import { manifestPricing } from '../pricing.ts';
import { abortable, cloudMeter, configEnv, providerTimeoutSeconds } from '../cloud-common.ts';
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
import { isModalNotFound, mapModalError } from './errors.ts';

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
 * - extend TTL: not possible on Modal (the timeout is fixed at create): a clear `unsupported` error.
 * - snapshot: snapshotFilesystem (an Image); restore: create from that image.
 */
export function modalExtension(deps: { api?: ModalApiFactory } = {}): ExtensionFactory {
  const factory = deps.api ?? realModalApi;

  return (manifest: ExtensionManifest): Extension => {
    const id = manifest.id;

    async function withApi<T>(
      ctx: ExtensionContext,
      op: string,
      fn: (api: ModalApi) => Promise<T>,
    ): Promise<T> {
      const tokenId = ctx.secrets.get('token_id');
      const tokenSecret = ctx.secrets.get('token_secret');
      if (!tokenId || !tokenSecret) {
        throw new SandboxerError('credentials', `${id}: no Modal token was resolved`, {
          hint: 'set MODAL_TOKEN_ID and MODAL_TOKEN_SECRET (the token_id / token_secret credentials of ext.modal)',
        });
      }
      const environment = typeof ctx.config.environment === 'string' ? ctx.config.environment : undefined;
      let api: ModalApi | undefined;
      try {
        const connecting = factory({ tokenId, tokenSecret, ...(environment ? { environment } : {}) });
        // A client that connects after we stopped waiting is closed as soon as it exists.
        api = await abortable(connecting, ctx.signal).catch((err: unknown) => {
          void connecting.then(
            (late) => late.close(),
            () => undefined,
          );
          throw err;
        });
        // Modal's calls take no AbortSignal: stop waiting on cancellation; teardown deals with what was made.
        return await abortable(fn(api), ctx.signal);
      } catch (err) {
        throw mapModalError(id, op, err, { signal: ctx.signal, secrets: [tokenId, tokenSecret] });
      } finally {
        api?.close();
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
          out.push({
            backend_id: sb.sandboxId,
            labels,
            handle: { backend_id: sb.sandboxId },
            ...(sandboxId ? { sandbox_id: sandboxId } : {}),
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
      const params: ModalSandboxCreateParams = {
        ...modalResources(ctx.profile.resources),
        timeoutMs: timeout_s * 1000,
        env: configEnv(ctx.config),
        tags: ctx.labels,
        ...(Array.isArray(ctx.config.regions) ? { regions: ctx.config.regions.map(String) } : {}),
      };
      const sandboxId = await withApi(ctx, 'create', async (api) => {
        const app = await api.apps.fromName(appName, { createIfMissing: true });
        const sb = await api.sandboxes.create(app, await image(api), params);
        return sb.sandboxId;
      });
      const handle: Handle = {
        backend_id: sandboxId,
        app: appName,
        started_at: new Date().toISOString(),
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

      async extendTtl() {
        throw new SandboxerError(
          'unsupported',
          `${id}: extending a running sandbox's TTL is not supported by this backend (Modal fixes the timeout when the sandbox is created)`,
          {
            hint: 'create the sandbox with a longer --ttl, or snapshot it and restore the snapshot with a new --ttl',
          },
        );
      },

      async snapshot(ctx) {
        const sandboxId = String(ctx.sandbox.handle.backend_id);
        const imageId = await withApi(ctx, 'snapshot', async (api) => {
          const sb = await api.sandboxes.fromId(sandboxId);
          return (await sb.snapshotFilesystem()).imageId;
        });
        return { handle: { snapshot_backend_id: imageId, of: sandboxId } };
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
    };
  };
}

/** Profile resources (vCPU, MiB, GPU type × count) in Modal's terms (physical cores, MiB, "T4:2"). */
export function modalResources(r: Resources): Pick<ModalSandboxCreateParams, 'cpu' | 'memoryMiB' | 'gpu'> {
  const gpu = r.gpu && r.gpu_count > 0 ? (r.gpu_count > 1 ? `${r.gpu}:${r.gpu_count}` : r.gpu) : undefined;
  return { cpu: r.cpu / 2, memoryMiB: r.memory_mib, ...(gpu ? { gpu } : {}) };
}

export const modal: ExtensionFactory = modalExtension();
