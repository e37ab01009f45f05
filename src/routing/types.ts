import type { CredentialMemo } from '../credentials/resolver.ts';
import * as z from 'zod';
import { RouteStrategy, type Profile } from '../catalog/schema.ts';
import { RouteCandidate, type RouteDecision } from '../core/record.ts';

export interface RouteRequest {
  profile: Profile;
  ttl_s: number;
  /** Overrides the profile's strategy (CLI --route, action input). */
  strategy?: RouteStrategy;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Secrets resolved while checking candidates, kept for the create that follows (never persisted). */
  credentialMemo?: CredentialMemo;
}

/** A route plan: the decision to record plus the order in which eligible candidates are tried. */
export interface RoutePlan {
  decision: RouteDecision;
  order: string[];
}

export interface Router {
  plan(req: RouteRequest): Promise<RoutePlan>;
}

export const CredentialStatus = z
  .object({
    name: z.string(),
    secret_ref: z.string(),
    required: z.boolean(),
    status: z.enum(['ok', 'missing']),
    reason: z.string().optional(),
  })
  .strict();

/** One candidate as `route explain` shows it: what the recorded RouteCandidate holds, plus how it was derived. */
export const ExplainedCandidate = RouteCandidate.extend({
  kind: z.enum(['self-hosted', 'saas']),
  implemented: z.boolean(),
  /** 1-based position in the try order; absent for skipped candidates. */
  rank: z.number().int().positive().optional(),
  decision: z.enum(['picked', 'fallback', 'skipped']),
  estimate_basis: z.string().optional(),
  latency_source: z.enum(['history', 'default']),
  latency_samples: z.number().int().nonnegative(),
  credential_checks: z.array(CredentialStatus),
}).strict();
export type ExplainedCandidate = z.infer<typeof ExplainedCandidate>;

/** Every candidate of a profile with its estimate, latency, credential status and why it was picked or skipped. */
export const RouteExplanation = z
  .object({
    profile_id: z.string(),
    strategy: RouteStrategy,
    ttl_s: z.number().int().positive(),
    /** The candidate create would try first, if any. */
    picked: z.string().optional(),
    /** Eligible candidates in the order they are tried (fallback order). */
    order: z.array(z.string()),
    /** Every declared candidate: the try order first, then the skipped ones in declared order. */
    candidates: z.array(ExplainedCandidate),
  })
  .strict();
export type RouteExplanation = z.infer<typeof RouteExplanation>;
