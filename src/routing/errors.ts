import { SandboxerError } from '../core/errors.ts';
import type { RouteDecision } from '../core/record.ts';

/** One line per candidate: what happened to it and why. */
export function describeRoute(route: RouteDecision | undefined): string {
  return (route?.candidates ?? [])
    .map((c) => {
      const outcome = c.outcome ?? (c.eligible ? 'not_tried' : 'skipped');
      const why = c.error ?? c.reason.replace(/^(skipped|picked|fallback): /, '');
      return `${c.extension_id} ${outcome.replace('_', ' ')} (${why})`;
    })
    .join('; ');
}

/** The one error of a route where no candidate produced a sandbox: it names every candidate and why. */
export function routeExhausted(
  profileId: string,
  route: RouteDecision | undefined,
  last: SandboxerError,
): SandboxerError {
  return new SandboxerError('routing', `every candidate failed for ${profileId}: ${describeRoute(route)}`, {
    retryable: last.retryable,
    hint: `run 'sandboxer route explain --profile ${profileId}' for details${firstRun(profileId)}`,
    cause: last,
  });
}

/** The profile that needs no backend, credentials or host: what a fresh machine can always create. */
export const FIRST_PROFILE = 'profile.saas-stub';

/**
 * For a route that cannot run here (on a fresh machine: the shipped self-hosted profiles point at the project's
 * own host, the cloud ones need keys), the profile to try and where to read on.
 */
function firstRun(profileId: string): string {
  if (profileId === FIRST_PROFILE) return '';
  return `; nothing set up yet? 'sandboxer create --profile ${FIRST_PROFILE}' needs no backend, and docs/getting-started.md shows E2B and your own SSH host (a profile, checked by 'sandboxer doctor')`;
}

/** No candidate of the profile is eligible at all (credentials missing, capability lacking, ...). */
export function noCandidate(profileId: string, candidates: string): SandboxerError {
  return new SandboxerError('routing', `no candidate backend can serve ${profileId}: ${candidates}`, {
    hint: `run 'sandboxer route explain --profile ${profileId}' for details${firstRun(profileId)}`,
  });
}
