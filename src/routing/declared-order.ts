import { profileCandidates, type ExtensionManifest } from '../catalog/schema.ts';
import { getExtensionManifest, type Catalog } from '../catalog/loader.ts';
import type { CredentialResolver } from '../credentials/resolver.ts';
import type { RouteCandidate } from '../core/record.ts';
import type { ExtensionRegistry } from '../extensions/registry.ts';
import type { RoutePlan, RouteRequest, Router } from './types.ts';

/** Requirements every strategy checks first: an implementation exists and required credentials look available. */
export function evaluateCandidate(
  manifest: ExtensionManifest,
  req: RouteRequest,
  deps: { registry: ExtensionRegistry; credentials: CredentialResolver },
): RouteCandidate {
  const base = { extension_id: manifest.id };
  if (!deps.registry.has(manifest.id))
    return { ...base, eligible: false, reason: 'no implementation registered', outcome: 'skipped' };
  const required = manifest.credentials.filter((c) => c.required);
  const missing = required.filter((c) => deps.credentials.available(c.secret_ref, req.env) === false);
  const ext = deps.registry.get(manifest);
  const estimate = ext.estimateCost({ resources: req.profile.resources, ttl_s: req.ttl_s, manifest });
  const cand: RouteCandidate = {
    ...base,
    eligible: missing.length === 0,
    reason: missing.length
      ? `credentials missing: ${missing.map((m) => `${m.name} (${m.secret_ref})`).join(', ')}`
      : 'eligible',
    estimate_usd: estimate.usd,
    latency_s: manifest.latency.default_ready_s,
    credentials: required.length === 0 ? 'not_required' : missing.length ? 'missing' : 'ok',
  };
  if (!cand.eligible) cand.outcome = 'skipped';
  return cand;
}

/** The simplest router: candidates in the order the profile declares them. */
export class DeclaredOrderRouter implements Router {
  constructor(
    private readonly deps: { catalog: Catalog; registry: ExtensionRegistry; credentials: CredentialResolver },
  ) {}

  async plan(req: RouteRequest): Promise<RoutePlan> {
    const candidates = profileCandidates(req.profile).map((id) =>
      evaluateCandidate(getExtensionManifest(this.deps.catalog, id), req, this.deps),
    );
    return {
      decision: { strategy: req.strategy ?? req.profile.route?.strategy ?? 'explicit', candidates },
      order: candidates.filter((c) => c.eligible).map((c) => c.extension_id),
    };
  }
}
