import { BackendError, CancelledError, SandboxerError } from '../../core/errors.ts';
import { notYet, poll, ready } from '../../core/poll.ts';
import { failureText } from '../ssh/connection.ts';
import type { ContainerInfo } from './container-info.ts';
import type { UpStatus } from './remote.ts';

export type { ContainerInfo } from './container-info.ts';

const serviceOf = (c: ContainerInfo) => c.Config?.Labels?.['com.docker.compose.service'] ?? c.Name ?? c.Id;

export type ProjectStatus =
  | { kind: 'ready' }
  | { kind: 'waiting'; why: string; starting: string[]; notStarted?: string }
  | { kind: 'failed'; why: string; container?: string };

/** Ready = every expected service has a running container, healthy where it has a healthcheck. */
export function projectStatus(services: string[], containers: ContainerInfo[]): ProjectStatus {
  const byService = new Map(containers.map((c) => [serviceOf(c), c]));
  const missing = services.filter((s) => !byService.has(s));
  if (containers.length === 0) return { kind: 'waiting', why: 'no containers yet', starting: [] };
  const starting: string[] = [];
  const startingNames: string[] = [];
  for (const c of containers) {
    const st = c.State?.Status ?? 'unknown';
    const health = c.State?.Health?.Status ?? '';
    if (st === 'exited' || st === 'dead') {
      return {
        kind: 'failed',
        why: `service ${serviceOf(c)} ${st} (exit code ${c.State?.ExitCode ?? '?'})`,
        container: c.Id,
      };
    }
    if (health === 'unhealthy') return { kind: 'failed', why: `service ${serviceOf(c)} is unhealthy` };
    if (st !== 'running')
      return {
        kind: 'waiting',
        why: `service ${serviceOf(c)} is ${st}`,
        starting,
        ...(st === 'created' || st === 'configured' || st === 'initialized'
          ? { notStarted: serviceOf(c) }
          : {}),
      };
    if (health === 'starting') {
      starting.push(c.Id);
      startingNames.push(serviceOf(c));
    }
  }
  if (missing.length) return { kind: 'waiting', why: `no container for ${missing.join(', ')}`, starting };
  if (starting.length)
    return { kind: 'waiting', why: `the healthcheck of ${startingNames.join(', ')} is starting`, starting };
  return { kind: 'ready' };
}

/** What compose said that matters (its error lines, else its last words), for an error message. */
const said = (log: string) =>
  log ? `; compose said: ${failureText(log).split('\n').slice(-5).join(' | ')}` : '';

/**
 * projectStatus, knowing what compose up is doing: a failed `up`, or a service without a container once `up`
 * has ended (it has then created every container it will, e.g. an image could not be pulled), is a failure.
 * Without an exit code (compose killed) a missing container gets a few polls (`polls`) first.
 */
export function assess(services: string[], up: UpStatus, polls = 1): ProjectStatus {
  const status = projectStatus(services, up.containers);
  if (status.kind === 'ready') return status;
  if (status.kind === 'failed') {
    // ps -q prints short ids, inspect the full one.
    const id = status.container;
    const last = id ? Object.entries(up.logs ?? {}).find(([k]) => k && id.startsWith(k))?.[1] : undefined;
    return {
      kind: 'failed',
      why: `${status.why}${said(up.log)}${last ? `; its last log lines: ${last.split('\n').join(' | ')}` : ''}`,
    };
  }
  if (typeof up.up === 'number' && up.up !== 0)
    return { kind: 'failed', why: `compose up failed (exit ${up.up})${said(up.log)}` };
  // compose ended, yet a container was created and never started (podman-compose exits 0 when a port is taken).
  if (typeof up.up === 'number' && status.notStarted)
    return {
      kind: 'failed',
      why: `service ${status.notStarted} was created but did not start${said(up.log)}`,
    };
  if (status.why.startsWith('no container') && (up.up === 0 || (up.up === 'gone' && polls > 3)))
    return { kind: 'failed', why: `${status.why} (compose up did not create it)${said(up.log)}` };
  return status;
}

/**
 * Poll until the project is ready, bounded by `signal` (timeout + caller). Podman without systemd never runs
 * healthcheck timers, so `runHealthcheck` triggers a check itself when a container sits in `starting`.
 * `progress` hears what it is waiting for each time that changes (`service db is created`, ...).
 */
export async function waitProjectReady(o: {
  extId: string;
  services: string[];
  signal: AbortSignal;
  userSignal: AbortSignal;
  timeout_s: number;
  status(): Promise<UpStatus>;
  runHealthcheck(id: string): Promise<boolean | undefined>;
  progress?: (why: string) => void;
}): Promise<void> {
  let last = 'not checked';
  try {
    await poll(
      async (_signal, polls) => {
        const status = assess(o.services, await o.status(), polls);
        if (status.kind === 'ready') return ready(undefined);
        if (status.kind === 'failed') throw new BackendError(o.extId, status.why, { retryable: false });
        if (status.why !== last) o.progress?.(status.why);
        last = status.why;
        for (const id of status.starting) await o.runHealthcheck(id);
        return notYet(status.why);
      },
      { signal: o.signal },
    );
  } catch (err) {
    if (o.userSignal.aborted) throw new CancelledError();
    if (o.signal.aborted && !(err instanceof SandboxerError && err.code === 'backend')) {
      throw new BackendError(o.extId, `not ready within ${o.timeout_s}s: ${last}`, { retryable: false });
    }
    throw err;
  }
}
