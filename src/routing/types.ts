import type { Profile, RouteStrategy } from '../catalog/schema.ts';
import type { RouteDecision } from '../core/record.ts';

export interface RouteRequest {
  profile: Profile;
  ttl_s: number;
  /** Overrides the profile's strategy (CLI --route, action input). */
  strategy?: RouteStrategy;
  env: NodeJS.ProcessEnv;
}

/** A route plan: the decision to record plus the order in which eligible candidates are tried. */
export interface RoutePlan {
  decision: RouteDecision;
  order: string[];
}

export interface Router {
  plan(req: RouteRequest): Promise<RoutePlan>;
}
