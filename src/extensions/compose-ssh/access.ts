import type { PortSpec } from '../../catalog/schema.ts';
import { BackendError, usageError } from '../../core/errors.ts';
import type { Handle } from '../../core/record.ts';
import type { AccessContext, AccessMethods, Endpoint, LogsRequest } from '../contract.ts';
import { execOver, getCommand, getOver, putCommand, putOver } from '../ssh/access.ts';
import { groupCommands, remotePath, runKillable } from '../ssh/exec-commands.ts';
import type { Place } from '../ssh/place.ts';
import { inAccessSession, inSession } from '../ssh/connection.ts';
import { declaredPortsOf } from '../ssh/workspace-access.ts';
import { args, sh, trusted } from '../ssh/quote.ts';
import { targetFromHandle, type SshTarget } from '../ssh/target.ts';
import { containerOf, handleLayout, handleRuntime } from './handle.ts';
import type { Runtime } from './project.ts';
import { inspectProject, type Layout } from './remote.ts';
import type { ContainerInfo } from './ready.ts';

/**
 * Using a compose-ssh sandbox: the ports its containers publish on the placement host, exec in the workspace
 * (on the host, in the project directory) or in a service's container, service logs, files in and out as tar.
 */
const SERVICE_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const SINCE_RE = /^(\d+(s|m|h)|\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d)?)$/;

interface Where {
  target: SshTarget;
  l: Layout;
  rt: Runtime;
}

function where(ctx: AccessContext): Where {
  const h = ctx.sandbox.handle;
  const target = targetFromHandle(h);
  const l = handleLayout(h);
  if (!target || !l)
    throw new BackendError(ctx.manifest.id, 'no host recorded for this sandbox', { retryable: false });
  return { target, l, rt: handleRuntime(h, ctx.config, ctx.env) };
}

function checkService(service: string, h: Handle): string {
  if (!SERVICE_RE.test(service)) throw usageError(`'${service.slice(0, 80)}' is not a compose service name`);
  const known = String(h.services ?? '')
    .split(',')
    .filter(Boolean);
  if (known.length && !known.includes(service))
    throw usageError(`this sandbox has no service '${service}'`, `its services: ${known.join(', ')}`);
  return service;
}

/** Shell that sets $C to the service's (running, unless all) container, or fails naming the service. */
function findContainer(w: Where, service: string, all = false): string {
  const engine = args(w.rt.engine);
  return [
    sh`C=$(${engine} ps -q ${args(all ? ['-a'] : [])} --filter ${`label=com.docker.compose.project=${w.l.project}`} --filter ${`label=com.docker.compose.service=${service}`} 2>/dev/null | head -n 1)`,
    sh`[ -n "$C" ] || { echo ${`service ${service} has no ${all ? '' : 'running '}container`} >&2; exit 125; }`,
  ].join('\n');
}

function place(w: Where, service: string | undefined, h: Handle): Place {
  if (service === undefined) return { workspace: w.l.repo };
  checkService(service, h);
  // The container seen at ready (saved in the handle) spares a `ps` on the host (~100 ms with podman).
  const known = containerOf(h, service);
  return {
    workspace: w.l.repo,
    container: { engine: w.rt.engine, id: known ?? trusted('"$C"') },
    ...(known ? {} : { prelude: findContainer(w, service) }),
  };
}

interface PortBinding {
  HostIp?: string;
  HostPort?: string;
}
type Inspected = ContainerInfo & {
  NetworkSettings?: { Ports?: Record<string, PortBinding[] | null> | null };
};

/** Published ports of the project's containers as endpoints on the placement host. */
export function endpointsOf(containers: Inspected[], host: string, declared: PortSpec[]): Endpoint[] {
  const out: Endpoint[] = [];
  for (const c of containers) {
    const service = c.Config?.Labels?.['com.docker.compose.service'] ?? c.Name ?? c.Id;
    for (const [key, bindings] of Object.entries(c.NetworkSettings?.Ports ?? {})) {
      const [portText, proto = 'tcp'] = key.split('/');
      if (proto !== 'tcp' || !bindings) continue;
      const port = Number(portText);
      for (const b of bindings) {
        const hostPort = Number(b.HostPort);
        if (!hostPort) continue;
        // A port bound to one address of the host is reached there; 0.0.0.0 / :: mean the placement host.
        const ip = b.HostIp && !['0.0.0.0', '::', ''].includes(b.HostIp) ? b.HostIp : host;
        const at = ip === '127.0.0.1' || ip === '::1' ? host : ip;
        const spec = declared.find((d) => d.port === port && (!d.service || d.service === service));
        const protocol = spec?.protocol ?? 'http';
        const hostPart = at.includes(':') ? `[${at}]` : at;
        if (out.some((e) => e.service === service && e.port === port && e.host_port === hostPort)) continue;
        out.push({
          service,
          port,
          host: at,
          host_port: hostPort,
          protocol,
          ...(protocol === 'http' ? { url: `http://${hostPart}:${hostPort}` } : {}),
        });
      }
    }
  }
  return out.sort((a, b) => a.service.localeCompare(b.service) || a.port - b.port);
}

function logsCommand(w: Where, req: LogsRequest, h: Handle): string {
  if (req.tail !== undefined && !(Number.isInteger(req.tail) && req.tail >= 0))
    throw usageError(`--tail must be a whole number, not '${String(req.tail).slice(0, 40)}'`);
  if (req.since !== undefined && !SINCE_RE.test(req.since))
    throw usageError(`--since '${req.since.slice(0, 40)}' is not a duration (10m) or an ISO time`);
  const flags = [
    ...(req.tail !== undefined ? ['--tail', String(req.tail)] : []),
    ...(req.since !== undefined ? ['--since', req.since] : []),
    ...(req.follow ? ['-f'] : []),
  ];
  const engine = args(w.rt.engine);
  if (req.service !== undefined) {
    return [
      findContainer(w, checkService(req.service, h), true),
      sh`exec ${engine} logs ${args(flags)} "$C"`,
    ].join('\n');
  }
  // Every service, each line prefixed with its name (as compose logs does), in parallel when following.
  const services = String(h.services ?? '')
    .split(',')
    .filter(Boolean);
  return services
    .map(
      (s) =>
        sh`( ${trusted(findContainer(w, s, true).replace(/\n/g, '; '))}; ${engine} logs ${args(flags)} "$C" 2>&1 | sed -u ${`s/^/${s} | /`} )` +
        (req.follow ? ' &' : ''),
    )
    .concat(req.follow ? ['wait'] : [])
    .join('\n');
}

export function composeAccess(): AccessMethods {
  return {
    async endpoints(ctx) {
      const w = where(ctx);
      const json = await inAccessSession(ctx, w.target, (s) =>
        s.run(inspectProject(w.rt, w.l.project), { what: 'reading published ports', retryable: true }),
      );
      return endpointsOf(JSON.parse(json) as Inspected[], w.target.host, declaredPortsOf(ctx.sandbox.handle));
    },

    async exec(ctx, req, out) {
      const w = where(ctx);
      return inAccessSession(ctx, w.target, (s) =>
        execOver(s, ctx, req, place(w, req.service, ctx.sandbox.handle), out),
      );
    },

    async logs(ctx, req, out) {
      const w = where(ctx);
      const cmd = logsCommand(w, req, ctx.sandbox.handle);
      await inSession(ctx, w.target, async (s) => {
        // A follow runs in a process group that a cancel ends on the host (the caller went away).
        const r = await (
          req.follow
            ? runKillable(s, ctx, groupCommands(cmd), {}, out).then((x) => ({ code: x.exit_code }))
            : s.stream(cmd, { what: 'logs', stdout: (d) => out.stdout(d), stderr: (d) => out.stderr(d) })
        ).catch((err: unknown) => {
          // Following ends when the caller stops it: that is the normal end, not a failure.
          if (req.follow && ctx.signal.aborted) return { code: 0 };
          throw err;
        });
        if (r.code === 125) throw usageError(`service ${req.service ?? ''} has no container`);
        if (r.code !== 0 && !req.follow)
          throw new BackendError(ctx.manifest.id, `reading logs failed (exit ${r.code})`, {
            retryable: false,
          });
      });
    },

    async putFiles(ctx, req, tar) {
      const w = where(ctx);
      const p = place(w, req.service, ctx.sandbox.handle);
      const dest = remotePath(req.path, p);
      await inAccessSession(ctx, w.target, (s) => putOver(s, ctx, putCommand(dest, p), tar));
    },

    async getFiles(ctx, req) {
      const w = where(ctx);
      const p = place(w, req.service, ctx.sandbox.handle);
      return getOver(ctx, w.target, getCommand(remotePath(req.path, p), p));
    },
  };
}
