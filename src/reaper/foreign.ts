import { shown } from '../core/errors.ts';
import { LABEL } from '../core/labels.ts';
import { objectAge, objectSandboxId } from './classify.ts';
import type { ListedExtension } from './listing.ts';
import type { StaleItem } from './stale-report.ts';

/** Objects on `listed` of another ownership scope than `scope` (none when the scope is '*'). */
export function foreignOf(listed: ListedExtension, scope: string, now: number): StaleItem[] {
  if (scope === '*') return [];
  return listed.objects
    .filter((o) => o.labels[LABEL.scope] !== scope)
    .map((o) => {
      const sid = objectSandboxId(o);
      const age = objectAge(o, undefined, now);
      return {
        kind: 'foreign' as const,
        extension_id: listed.manifest.id,
        ...(sid ? { sandbox_id: sid } : {}),
        backend_id: o.backend_id,
        ...(age !== undefined ? { age_s: age } : {}),
        reason: `owned by scope ${shown(o.labels[LABEL.scope] ?? '(none)')}, not ${shown(scope)}`,
      };
    });
}
