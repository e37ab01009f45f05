import { profileCandidates, type ExtensionManifest, type Profile } from '../catalog/schema.ts';
import { deadline } from '../core/deadline.ts';
import { toSandboxerError } from '../core/errors.ts';
import { LABEL } from '../core/labels.ts';
import type { Handle, SandboxRecord } from '../core/record.ts';
import type { BackendObject, Extension, ExtensionContext } from '../extensions/contract.ts';
import type { CredentialMemo } from '../credentials/resolver.ts';
import type { SandboxManager } from '../manager/manager.ts';
import type { CallCounter, ListTarget, StaleReport } from './stale-report.ts';

/** Bound on one listing or one orphan teardown, so an unresponsive backend cannot hang a reaper run. */
export const BACKEND_CALL_TIMEOUT_MS = 180_000;

export const boundedSignal = (signal?: AbortSignal): AbortSignal =>
  deadline(BACKEND_CALL_TIMEOUT_MS, [signal], 'backend call', true).signal;

/**
 * The listing contexts for one extension: one per distinct effective config among the profiles that can use
 * it (a self-hosted backend may live on several hosts), or the bare manifest when no profile names it.
 */
export function listTargets(
  manager: SandboxManager,
  manifest: ExtensionManifest,
): { target: ListTarget; profile?: Profile }[] {
  const seen = new Set<string>();
  const out: { target: ListTarget; profile?: Profile }[] = [];
  for (const entry of manager.catalog.profiles.values()) {
    const p = entry.value;
    if (!profileCandidates(p).includes(manifest.id)) continue;
    const key = JSON.stringify([p.config, p.placement.host ?? null, p.placement.key_ref ?? null]);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ target: { extension_id: manifest.id, profile_id: p.id }, profile: p });
  }
  if (out.length === 0) out.push({ target: { extension_id: manifest.id } });
  return out;
}

export interface ListedExtension {
  manifest: ExtensionManifest;
  ext: Extension;
  objects: (BackendObject & { target: number })[];
  /** False when at least one listing context failed: absence of an object then proves nothing. */
  complete: boolean;
  /** How many listing contexts answered. */
  reached: number;
}

/** List every object carrying our `managed` label on one extension, over all its listing contexts. */
export async function listExtension(
  manager: SandboxManager,
  manifest: ExtensionManifest,
  ext: Extension,
  report: Pick<StaleReport, 'unreachable' | 'not_configured' | 'targets'>,
  opts: { signal?: AbortSignal; calls?: CallCounter; memo?: CredentialMemo; known?: Handle[] },
): Promise<ListedExtension> {
  const objects = new Map<string, BackendObject & { target: number }>();
  let complete = true;
  let reached = 0;
  for (const { target, profile } of listTargets(manager, manifest)) {
    const index = report.targets.push(target) - 1;
    try {
      const base = await manager.gateway.contextFor(manifest, {
        ...(profile ? { profile } : {}),
        signal: boundedSignal(opts.signal),
        ...(opts.memo ? { memo: opts.memo } : {}),
      });
      const ctx: ExtensionContext = opts.known?.length ? { ...base, known: opts.known } : base;
      if (opts.calls) opts.calls.list += 1;
      for (const o of await ext.list!(ctx, { [LABEL.managed]: 'true' })) {
        if (!objects.has(o.backend_id)) objects.set(o.backend_id, { ...o, target: index });
      }
      reached += 1;
    } catch (err) {
      complete = false;
      const e = toSandboxerError(err);
      (e.code === 'credentials' ? report.not_configured : report.unreachable).push({
        extension_id: manifest.id,
        ...(target.profile_id ? { profile_id: target.profile_id } : {}),
        error: e.message,
      });
    }
  }
  return { manifest, ext, objects: [...objects.values()], complete, reached };
}

/** The extensions to inspect: catalog extensions that have an implementation (optionally narrowed). */
export function inspectableExtensions(
  manager: SandboxManager,
  only?: string[],
): { manifest: ExtensionManifest; ext: Extension }[] {
  const out: { manifest: ExtensionManifest; ext: Extension }[] = [];
  for (const entry of manager.catalog.extensions.values()) {
    const manifest = entry.value;
    if (only && !only.includes(manifest.id)) continue;
    if (!manager.registry.has(manifest.id)) continue;
    out.push({ manifest, ext: manager.registry.get(manifest) });
  }
  return out.sort((a, b) => a.manifest.id.localeCompare(b.manifest.id));
}

/** What each record says about where its object lives, so a listing looks there too (never today's env). */
export const knownHandles = (records: Iterable<SandboxRecord>, extensionId: string): Handle[] =>
  [...records]
    .filter((r) => r.extension_id === extensionId && Object.keys(r.handle).length)
    .map((r) => r.handle);
