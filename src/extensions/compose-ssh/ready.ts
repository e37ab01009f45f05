import { BackendError, CancelledError, SandboxerError } from '../../core/errors.ts';
import { sleep } from '../../core/sleep.ts';

/** The part of `docker inspect` / `podman inspect` output we read (both print the same shape). */
export interface ContainerInfo {
  Id: string;
  Name?: string;
  Created?: string;
  State?: { Status?: string; Running?: boolean; ExitCode?: number; Health?: { Status?: string } | null };
  Config?: { Labels?: Record<string, string> | null };
}

const serviceOf = (c: ContainerInfo) => c.Config?.Labels?.['com.docker.compose.service'] ?? c.Name ?? c.Id;

export type ProjectStatus =
  { kind: 'ready' } | { kind: 'waiting'; why: string; starting: string[] } | { kind: 'failed'; why: string };

/** Ready = every expected service has a running container, healthy where it has a healthcheck. */
export function projectStatus(services: string[], containers: ContainerInfo[]): ProjectStatus {
  const byService = new Map(containers.map((c) => [serviceOf(c), c]));
  const missing = services.filter((s) => !byService.has(s));
  if (containers.length === 0) return { kind: 'waiting', why: 'no containers yet', starting: [] };
  const starting: string[] = [];
  for (const c of containers) {
    const st = c.State?.Status ?? 'unknown';
    const health = c.State?.Health?.Status ?? '';
    if (st === 'exited' || st === 'dead') {
      return { kind: 'failed', why: `service ${serviceOf(c)} ${st} (exit code ${c.State?.ExitCode ?? '?'})` };
    }
    if (health === 'unhealthy') return { kind: 'failed', why: `service ${serviceOf(c)} is unhealthy` };
    if (st !== 'running') return { kind: 'waiting', why: `service ${serviceOf(c)} is ${st}`, starting };
    if (health === 'starting') starting.push(c.Id);
  }
  if (missing.length) return { kind: 'waiting', why: `no container for ${missing.join(', ')}`, starting };
  if (starting.length)
    return { kind: 'waiting', why: `${starting.length} healthcheck(s) starting`, starting };
  return { kind: 'ready' };
}

/**
 * Poll until the project is ready, bounded by `signal` (timeout + caller). Podman without systemd never runs
 * healthcheck timers, so `runHealthcheck` triggers a check itself when a container sits in `starting`.
 */
export async function waitProjectReady(o: {
  extId: string;
  services: string[];
  signal: AbortSignal;
  userSignal: AbortSignal;
  timeout_s: number;
  inspect(): Promise<ContainerInfo[]>;
  runHealthcheck(id: string): Promise<boolean | undefined>;
}): Promise<void> {
  let last = 'not checked';
  let delay = 200;
  let polls = 0;
  try {
    for (;;) {
      const status = projectStatus(o.services, await o.inspect());
      polls++;
      if (status.kind === 'ready') return;
      if (status.kind === 'failed') throw new BackendError(o.extId, status.why, { retryable: false });
      last = status.why;
      // compose up has returned (it creates every container before it does) when we poll: a service still
      // missing after a few polls was never created, e.g. its image could not be pulled.
      if (status.why.startsWith('no container') && polls > 3) {
        throw new BackendError(o.extId, `${status.why} (compose up did not create it)`, { retryable: false });
      }
      for (const id of status.starting) await o.runHealthcheck(id);
      await sleep(delay, o.signal);
      delay = Math.min(delay * 2, 2000);
    }
  } catch (err) {
    if (o.userSignal.aborted) throw new CancelledError();
    if (o.signal.aborted && !(err instanceof SandboxerError && err.code === 'backend')) {
      throw new BackendError(o.extId, `not ready within ${o.timeout_s}s: ${last}`, { retryable: false });
    }
    throw err;
  }
}
