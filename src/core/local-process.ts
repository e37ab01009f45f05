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
