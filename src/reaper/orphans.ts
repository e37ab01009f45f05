import { LABEL } from '../core/labels.ts';
import { isTerminal } from '../core/lifecycle.ts';
import type { SandboxRecord } from '../core/record.ts';
import { objectAge, objectSandboxId } from './classify.ts';
import type { ListedExtension } from './listing.ts';
import type { StaleItem } from './stale-report.ts';

/** Objects on `listed` that no live record accounts for. */
export function orphansOf(
  listed: ListedExtension,
  records: Map<string, SandboxRecord>,
  now: number,
  scope: string,
  unloaded: ReadonlySet<string> = new Set(),
): StaleItem[] {
  const out: StaleItem[] = [];
  for (const o of listed.objects) {
    if (scope !== '*' && o.labels[LABEL.scope] !== scope) continue;
    const sid = objectSandboxId(o);
    if (sid && unloaded.has(sid) && !records.has(sid)) continue; // its record lives, just not loaded here
    const r = sid ? records.get(sid) : undefined;
    let reason: string;
    if (!sid) reason = 'carries our labels but no sandbox id';
    else if (!r) reason = 'no record of this sandbox';
    else if (r.extension_id !== listed.manifest.id)
      reason = `record ${r.id} lives on ${r.extension_id} (left behind by a fallback)`;
    else if (isTerminal(r.state) && !r.cleanup_pending) reason = `record ${r.id} is ${r.state}`;
    else continue; // a live record (or one the record pass will clean up) owns it
    const age = objectAge(o, r, now);
    out.push({
      kind: 'orphaned',
      extension_id: listed.manifest.id,
      ...(sid ? { sandbox_id: sid } : {}),
      ...(r ? { state: r.state, revision: r.revision } : {}),
      backend_id: o.backend_id,
      ...(age !== undefined ? { age_s: age } : {}),
      reason,
      object: o,
      target: o.target,
    });
  }
  return out;
}
