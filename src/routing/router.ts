import { getExtensionManifest, type Catalog } from '../catalog/loader.ts';
import { profileCandidates } from '../catalog/schema.ts';
import type { RouteCandidate } from '../core/record.ts';
import { credentialSpecsFor } from '../credentials/index.ts';
import type { CredentialResolver } from '../credentials/resolver.ts';
import type { ExtensionRegistry } from '../extensions/registry.ts';
import { estimateFromPricing } from '../payments/pricing.ts';
import type { StateStore } from '../state/store.ts';
import { LatencyHistory } from './latency.ts';
import { rank, rankReason } from './strategies.ts';
import type { ExplainedCandidate, RouteExplanation, RoutePlan, RouteRequest, Router } from './types.ts';

export interface StrategyRouterDeps {
  catalog: Catalog;
  registry: ExtensionRegistry;
  credentials: CredentialResolver;
  /** Where time-to-ready history lives (see LatencyRecorder); without it lowest-latency uses the defaults. */
  store?: StateStore;
}

/**
 * Routes a profile over its candidates with the profile's strategy (or the request's override). A candidate is
 * eligible when it has an implementation and its required credentials resolve; eligible ones are ranked by the
 * strategy, and create tries them in that order, falling back on retryable failures.
 */
export class StrategyRouter implements Router {
  private readonly latency: LatencyHistory;

  constructor(private readonly deps: StrategyRouterDeps) {
    this.latency = new LatencyHistory(deps.store);
  }

  async explain(req: RouteRequest): Promise<RouteExplanation> {
    const { profile } = req;
    const strategy = req.strategy ?? profile.route?.strategy ?? 'explicit';
    const manifests = profileCandidates(profile).map((id) => getExtensionManifest(this.deps.catalog, id));
    const latencies = await this.latency.estimates(manifests);
    const ctx = {
      env: req.env,
      ...(req.signal ? { signal: req.signal } : {}),
      ...(req.credentialMemo ? { memo: req.credentialMemo } : {}),
    };

    const evaluated: (ExplainedCandidate & { declared: number })[] = [];
    for (const [declared, manifest] of manifests.entries()) {
      const implemented = this.deps.registry.has(manifest.id);
      const lat = latencies.get(manifest.id)!;
      const checks = await this.deps.credentials.check(credentialSpecsFor(manifest, profile), ctx);
      const required = checks.filter((c) => c.required);
      const missing = required.filter((c) => c.status === 'missing');
      // Without an implementation the manifest's price list still gives an estimate worth showing.
      const estimate = implemented
        ? this.deps.registry
            .get(manifest)
            .estimateCost({ resources: profile.resources, ttl_s: req.ttl_s, manifest })
        : estimateFromPricing(manifest.pricing, profile.resources, req.ttl_s);
      const skip = !implemented
        ? 'no implementation registered'
        : missing.length
          ? missing.map((m) => `credential ${m.name} (${m.secret_ref}) unavailable: ${m.reason}`).join('; ')
          : undefined;
      evaluated.push({
        declared,
        extension_id: manifest.id,
        kind: manifest.kind,
        implemented,
        eligible: skip === undefined,
        reason: skip ?? 'eligible',
        decision: 'skipped',
        estimate_usd: estimate.usd,
        estimate_basis: estimate.basis,
        latency_s: lat.latency_s,
        latency_source: lat.source,
        latency_samples: lat.samples,
        credentials: required.length === 0 ? 'not_required' : missing.length ? 'missing' : 'ok',
        credential_checks: checks,
        ...(skip ? { outcome: 'skipped' as const } : {}),
      });
    }

    const ordered = rank(
      strategy,
      evaluated.filter((c) => c.eligible),
    ).map((c, i) => ({
      ...c,
      rank: i + 1,
      decision: i === 0 ? ('picked' as const) : ('fallback' as const),
      reason: `${i === 0 ? 'picked' : 'fallback'}: ${rankReason(strategy, c, i + 1)}`,
    }));
    const skipped = evaluated
      .filter((c) => !c.eligible)
      .map((c) => ({ ...c, reason: `skipped: ${c.reason}` }));
    return {
      profile_id: profile.id,
      strategy,
      ttl_s: req.ttl_s,
      ...(ordered[0] ? { picked: ordered[0].extension_id } : {}),
      order: ordered.map((c) => c.extension_id),
      candidates: [...ordered, ...skipped].map(({ declared: _declared, ...c }) => c),
    };
  }

  async plan(req: RouteRequest): Promise<RoutePlan> {
    const x = await this.explain(req);
    const candidates: RouteCandidate[] = x.candidates.map((c) => ({
      extension_id: c.extension_id,
      eligible: c.eligible,
      reason: c.reason,
      ...(c.estimate_usd !== undefined ? { estimate_usd: c.estimate_usd } : {}),
      ...(c.latency_s !== undefined ? { latency_s: c.latency_s } : {}),
      ...(c.credentials ? { credentials: c.credentials } : {}),
      ...(c.outcome ? { outcome: c.outcome } : {}),
    }));
    return { decision: { strategy: x.strategy, candidates }, order: x.order };
  }
}
