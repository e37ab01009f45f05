import { LABEL } from '../../core/labels.ts';
import type { SshSession } from '../ssh/connection.ts';
import { sh } from '../ssh/quote.ts';
import type { Runtime } from './project.ts';
import { inspectManaged } from './remote.ts';
import type { ContainerInfo } from './ready.ts';

/** What `sandboxer inspect host` and the canary report about a placement host. */
export interface HostTelemetry {
  host: string;
  disk: { path: string; total_kib: number; used_kib: number; available_kib: number; used_pct: number };
  memory: { total_kib: number; available_kib: number };
  load: { '1m': number; '5m': number; '15m': number };
  cpus: number;
  projects: {
    project: string;
    sandbox_id?: string;
    profile?: string;
    scope?: string;
    expires_at?: string;
    containers: number;
    running: number;
  }[];
}

const SEP = '--sandboxer--';

/** One round trip: df of the sandbox base dir (or the nearest existing parent), meminfo, loadavg, CPU count. */
function systemScript(path: string): string {
  return [
    sh`p=${path}; while [ ! -e "$p" ] && [ "$p" != / ]; do p=$(dirname "$p"); done`,
    'echo "$p"; df -Pk "$p" | tail -n 1',
    `echo ${SEP}; grep -E '^(MemTotal|MemAvailable):' /proc/meminfo`,
    `echo ${SEP}; cat /proc/loadavg`,
    `echo ${SEP}; nproc 2>/dev/null || getconf _NPROCESSORS_ONLN`,
  ].join('\n');
}

export function parseSystem(host: string, text: string): Omit<HostTelemetry, 'projects'> {
  const [diskPart = '', memPart = '', loadPart = '', cpuPart = ''] = text.split(SEP);
  const [path = '', dfLine = ''] = diskPart.trim().split('\n');
  const df = dfLine.trim().split(/\s+/);
  const mem = Object.fromEntries(
    memPart
      .trim()
      .split('\n')
      .map((l) => {
        const [k, v] = l.split(':');
        return [k?.trim(), Number.parseInt(v ?? '0', 10)];
      }),
  ) as Record<string, number>;
  const load = loadPart.trim().split(/\s+/).map(Number);
  const total = Number(df[1] ?? 0);
  const used = Number(df[2] ?? 0);
  return {
    host,
    disk: {
      path,
      total_kib: total,
      used_kib: used,
      available_kib: Number(df[3] ?? 0),
      used_pct: Number.parseInt(df[4] ?? '0', 10),
    },
    memory: { total_kib: mem.MemTotal ?? 0, available_kib: mem.MemAvailable ?? 0 },
    load: { '1m': load[0] ?? 0, '5m': load[1] ?? 0, '15m': load[2] ?? 0 },
    cpus: Number.parseInt(cpuPart.trim(), 10) || 0,
  };
}

export function groupProjects(containers: ContainerInfo[]): HostTelemetry['projects'] {
  const byProject = new Map<string, HostTelemetry['projects'][number]>();
  for (const c of containers) {
    const labels = c.Config?.Labels ?? {};
    const project = labels['com.docker.compose.project'] ?? labels[LABEL.sandboxId] ?? c.Id;
    const p = byProject.get(project) ?? {
      project,
      ...(labels[LABEL.sandboxId] ? { sandbox_id: labels[LABEL.sandboxId] } : {}),
      ...(labels[LABEL.profile] ? { profile: labels[LABEL.profile] } : {}),
      ...(labels[LABEL.scope] ? { scope: labels[LABEL.scope] } : {}),
      ...(labels[LABEL.expiresAt] ? { expires_at: labels[LABEL.expiresAt] } : {}),
      containers: 0,
      running: 0,
    };
    p.containers++;
    if (c.State?.Status === 'running') p.running++;
    byProject.set(project, p);
  }
  return [...byProject.values()].sort((a, b) => a.project.localeCompare(b.project));
}

/** Telemetry over an open session; `rt` undefined skips the container part (e.g. a VM without an engine). */
export async function collectTelemetry(
  s: SshSession,
  host: string,
  path: string,
  rt: Runtime | undefined,
): Promise<HostTelemetry> {
  const system = parseSystem(host, await s.run(systemScript(path), { what: 'host telemetry' }));
  let projects: HostTelemetry['projects'] = [];
  if (rt) {
    const r = await s.exec(inspectManaged(rt));
    if (r.code === 0) projects = groupProjects(JSON.parse(r.stdout) as ContainerInfo[]);
  }
  return { ...system, projects };
}
