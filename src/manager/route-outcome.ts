import type { RouteCandidate, SandboxRecord } from '../core/record.ts';

/** The record's route with one candidate's outcome (and error) set; `chosen` names the winner. */
export function markOutcome(
  route: SandboxRecord['route'],
  extId: string,
  outcome: RouteCandidate['outcome'],
  error?: string,
  chosen?: string,
): SandboxRecord['route'] {
  if (!route) return route;
  return {
    ...route,
    ...(chosen ? { chosen } : {}),
    candidates: route.candidates.map((c) =>
      c.extension_id === extId ? { ...c, outcome, ...(error ? { error } : {}) } : c,
    ),
  };
}
