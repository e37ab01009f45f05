import { connect } from 'node:net';
import { SandboxerError, throwIfAborted } from '../../core/errors.ts';
import type { Placement } from '../../catalog/schema.ts';
import type { ExtensionContext } from '../contract.ts';
import { parseHostSpec, resolveTarget, type SshTarget } from './target.ts';

/** How long one reachability probe of a preferred host may take before it counts as unreachable. */
export const PROBE_MS = 1500;

/**
 * Whether a TCP connection to host:port opens within `ms` (our own timer, cleared when it settles) or before
 * `signal` aborts. Never throws: refused, unresolvable, filtered and cancelled are all "not reachable".
 */
export function tcpReachable(
  host: string,
  port: number,
  opts: { ms?: number; signal?: AbortSignal } = {},
): Promise<boolean> {
  return new Promise((resolve) => {
    if (opts.signal?.aborted) return resolve(false);
    const socket = connect({ host, port });
    let settled = false;
    const finish = (ok: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(ok);
    };
    const onAbort = () => finish(false);
    const timer = setTimeout(() => finish(false), opts.ms ?? PROBE_MS);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

type TargetInput = Parameters<typeof resolveTarget>[0];

/**
 * The target for a new sandbox, honouring `placement.preferred`: the first host of that list (in its order)
 * that accepts a TCP connection on its SSH port. `SANDBOXER_HOST` and an explicit host still win without any
 * probe; when no preferred host is reachable, `placement.host` (then the extension config) is the fallback.
 * The probes run at once, so choosing costs at most one PROBE_MS however long the list.
 */
export async function resolvePreferredTarget(
  input: TargetInput & { signal?: AbortSignal; probeMs?: number; log?: (msg: string) => void },
): Promise<SshTarget> {
  const preferred = input.placement?.preferred ?? [];
  if (input.env.SANDBOXER_HOST || input.explicit || preferred.length === 0) return resolveTarget(input);
  const defaultPort = input.placement?.port ?? Number(input.config.port ?? 22);
  const specs = preferred.map((spec) => ({ spec, ...parseHostSpec(spec) }));
  const probes = specs.map((s) =>
    tcpReachable(s.host, s.port ?? defaultPort, {
      ms: input.probeMs ?? PROBE_MS,
      ...(input.signal ? { signal: input.signal } : {}),
    }),
  );
  for (const [i, s] of specs.entries()) {
    if (await probes[i]) return resolveTarget({ ...input, explicit: s.spec });
    input.log?.(`placement: preferred host ${s.spec} is not reachable`);
  }
  throwIfAborted(input.signal);
  if (!input.placement?.host && typeof input.config.host !== 'string') {
    throw new SandboxerError(
      'backend',
      `no placement host is reachable: none of placement.preferred (${preferred.join(', ')}) accepted a connection`,
      {
        hint: 'start one of them, add a placement.host fallback to the profile, or set SANDBOXER_HOST=[user@]host[:port]',
      },
    );
  }
  return resolveTarget(input);
}

/** resolvePreferredTarget for an extension call: its config, env, signal and log (skipped hosts at info). */
export const preferredTarget = (ctx: ExtensionContext, placement: Placement | undefined, explicit?: string) =>
  resolvePreferredTarget({
    placement,
    config: ctx.config,
    env: ctx.env,
    explicit,
    signal: ctx.signal,
    log: (m) => ctx.log.info(m),
  });
