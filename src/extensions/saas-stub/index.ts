import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, renameSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { BackendError } from '../../core/errors.ts';
import { matchesLabels } from '../../core/labels.ts';
import { sleep } from '../../core/sleep.ts';
import type { ExtensionManifest } from '../../catalog/schema.ts';
import { stateDir } from '../../state/paths.ts';
import type { BackendObject, Extension, ExtensionContext, ProvisionContext } from '../contract.ts';
import { manifestPricing } from '../pricing.ts';

/**
 * ext.saas-stub: a metered backend with no external API. Its "cloud" is a directory of JSON objects
 * (`<state dir>/saas-stub/objects/`), so it behaves like a real remote across processes: objects outlive the
 * CLI, carry labels, can be listed for reaping, and are gone after teardown.
 *
 * Faults for routing and reliability tests (config or env): `SANDBOXER_STUB_FAULT=provision:retryable|fatal`,
 * `SANDBOXER_STUB_DELAY_MS=<ms>` (a cancellable pause inside provision, after the object exists).
 */
interface StubObject {
  backend_id: string;
  labels: Record<string, string>;
  created_at: string;
  expires_at?: string;
  status: 'starting' | 'running';
  snapshot_of?: string;
}

const objectsDir = (env: NodeJS.ProcessEnv) =>
  join(env.SANDBOXER_STUB_DIR ?? join(stateDir(env), 'saas-stub'), 'objects');
const snapshotsDir = (env: NodeJS.ProcessEnv) =>
  join(env.SANDBOXER_STUB_DIR ?? join(stateDir(env), 'saas-stub'), 'snapshots');

function writeJson(file: string, value: unknown): void {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2));
  renameSync(tmp, file);
}

function readObject(env: NodeJS.ProcessEnv, backendId: string): StubObject | undefined {
  try {
    return JSON.parse(readFileSync(join(objectsDir(env), `${backendId}.json`), 'utf8')) as StubObject;
  } catch {
    return undefined;
  }
}

function fault(ctx: ExtensionContext, op: string): void {
  const spec = String(ctx.config.fault ?? ctx.env.SANDBOXER_STUB_FAULT ?? '');
  for (const part of spec.split(',').filter(Boolean)) {
    const [where, kind] = part.split(':');
    if (where === op) {
      throw new BackendError(ctx.manifest.id, `injected ${kind ?? 'fatal'} fault in ${op}`, {
        retryable: kind === 'retryable',
        status: kind === 'retryable' ? 503 : 400,
      });
    }
  }
}

export function saasStub(manifest: ExtensionManifest): Extension {
  return {
    id: manifest.id,

    async provision(ctx: ProvisionContext) {
      const dir = objectsDir(ctx.env);
      mkdirSync(dir, { recursive: true });
      const backend_id = `stub-${ctx.sandbox.id.slice(4)}`;
      const obj: StubObject = {
        backend_id,
        labels: ctx.labels,
        created_at: new Date().toISOString(),
        status: 'starting',
        ...(ctx.sandbox.expires_at ? { expires_at: ctx.sandbox.expires_at } : {}),
      };
      writeJson(join(dir, `${backend_id}.json`), obj);
      await ctx.saveHandle({ backend_id });
      const delay = Number(ctx.config.provision_delay_ms ?? ctx.env.SANDBOXER_STUB_DELAY_MS ?? 0);
      if (delay > 0) await sleep(delay, ctx.signal);
      fault(ctx, 'provision');
      return { handle: { backend_id }, placement: { region: String(ctx.config.region ?? 'stub-local-1') } };
    },

    async waitReady(ctx, handle) {
      fault(ctx, 'ready');
      const id = String(handle.backend_id);
      const obj = readObject(ctx.env, id);
      if (!obj)
        throw new BackendError(manifest.id, `object ${id} vanished before it was ready`, { retryable: true });
      writeJson(join(objectsDir(ctx.env), `${id}.json`), { ...obj, status: 'running' });
    },

    async teardown(ctx) {
      fault(ctx, 'teardown');
      const id = ctx.sandbox.handle.backend_id;
      if (typeof id !== 'string') return; // nothing was ever made
      rmSync(join(objectsDir(ctx.env), `${id}.json`), { force: true });
    },

    async teardownObject(ctx, object) {
      fault(ctx, 'teardown');
      rmSync(join(objectsDir(ctx.env), `${object.backend_id}.json`), { force: true });
    },

    ...manifestPricing(manifest),

    async list(ctx, filter) {
      const dir = objectsDir(ctx.env);
      if (!existsSync(dir)) return [];
      const out: BackendObject[] = [];
      for (const f of readdirSync(dir)) {
        if (!f.endsWith('.json')) continue;
        const obj = readObject(ctx.env, f.slice(0, -5));
        if (!obj) continue;
        if (!matchesLabels(obj.labels, filter)) continue;
        out.push({
          backend_id: obj.backend_id,
          labels: obj.labels,
          created_at: obj.created_at,
          handle: { backend_id: obj.backend_id },
          ...(obj.labels['io.sandboxer.sandbox-id']
            ? { sandbox_id: obj.labels['io.sandboxer.sandbox-id'] }
            : {}),
        });
      }
      return out;
    },

    async extendTtl(ctx, expiresAt) {
      const id = String(ctx.sandbox.handle.backend_id);
      const obj = readObject(ctx.env, id);
      if (!obj)
        throw new BackendError(manifest.id, `object ${id} not found`, { retryable: false, status: 404 });
      writeJson(join(objectsDir(ctx.env), `${id}.json`), {
        ...obj,
        expires_at: expiresAt,
        labels: { ...obj.labels, 'io.sandboxer.expires-at': expiresAt },
      });
    },

    async snapshot(ctx, name) {
      const id = String(ctx.sandbox.handle.backend_id);
      const obj = readObject(ctx.env, id);
      if (!obj)
        throw new BackendError(manifest.id, `object ${id} not found`, { retryable: false, status: 404 });
      const dir = snapshotsDir(ctx.env);
      mkdirSync(dir, { recursive: true });
      const snapshot_backend_id = `stubsnap-${randomBytes(6).toString('hex')}`;
      writeJson(join(dir, `${snapshot_backend_id}.json`), {
        of: id,
        name: name ?? null,
        at: new Date().toISOString(),
      });
      return { handle: { snapshot_backend_id } };
    },

    async restore(ctx, snapshot) {
      const snapId = String(snapshot.handle.snapshot_backend_id);
      if (!existsSync(join(snapshotsDir(ctx.env), `${snapId}.json`))) {
        throw new BackendError(manifest.id, `snapshot ${snapId} not found`, {
          retryable: false,
          status: 404,
        });
      }
      const result = await this.provision(ctx);
      return { ...result, handle: { ...result.handle, restored_from: snapId } };
    },

    async deleteSnapshot(ctx, snapshot) {
      rmSync(join(snapshotsDir(ctx.env), `${String(snapshot.handle.snapshot_backend_id)}.json`), {
        force: true,
      });
    },
  };
}
