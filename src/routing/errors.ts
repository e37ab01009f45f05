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
    hint: `run 'sandboxer route explain --profile ${profileId}' for details`,
    cause: last,
  });
}
