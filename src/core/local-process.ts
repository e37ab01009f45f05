import { hostname } from 'node:os';

/**
 * True only when a process named by host and pid is seen to be gone: it was on this host and no process has
 * that pid now. A process of another host is never judged gone here (its lease or heartbeat decides).
 */
export function localProcessGone(host: string, pid: number): boolean {
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** The provisioner id a create writes when no `serve` replica makes it (a CLI or action process). */
export const processProvisioner = (): string => `process:${hostname()}/${process.pid}`;

export const isProcessProvisioner = (id: string): boolean => id.startsWith('process:');

/** True when a `processProvisioner()` id names a process of this host that is gone (elsewhere: never). */
export function provisionerProcessGone(id: string): boolean {
  const m = /^process:(.+)\/(\d+)$/.exec(id);
  return m ? localProcessGone(m[1]!, Number(m[2])) : false;
}
