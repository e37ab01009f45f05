import { provisionerProcessGone } from '../core/local-process.ts';
import type { SandboxRecord } from '../core/record.ts';

/**
 * A create (requested / provisioning) whose creating process was on this host and is gone (SIGKILL, OOM, a
 * closed terminal) will never finish: it is `abandoned` now rather than `stuck` once its bound has passed. A
 * process of another host is never judged here (its records wait for their bounds, or for the serve leader).
 */
export function createProcessGone(
  r: SandboxRecord,
  since_s: number,
): { kind: 'abandoned'; age_s: number; reason: string } | undefined {
  if (r.state !== 'requested' && r.state !== 'provisioning') return undefined;
  if (!r.provisioner || !provisionerProcessGone(r.provisioner)) return undefined;
  return {
    kind: 'abandoned',
    age_s: since_s,
    reason: `${r.state}, and the process that created it (${r.provisioner.slice('process:'.length)}) is gone`,
  };
}
