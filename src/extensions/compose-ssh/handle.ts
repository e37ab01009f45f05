import type { Handle } from '../../core/record.ts';
import { BackendError } from '../../core/errors.ts';
import { runtimeFrom, type Runtime } from './project.ts';
import type { Layout } from './remote.ts';
import type { ContainerInfo } from './ready.ts';

/** What a compose-ssh handle records, read back for teardown, access and snapshots. */
/** The layout a handle names; a directory that is not `<base>/sbx-<id>` is refused (teardown runs rm -rf on it). */
export function handleLayout(h: Handle): Layout | undefined {
  if (typeof h.dir !== 'string' || typeof h.project !== 'string') return undefined;
  const dir = h.dir;
  const id = dir.slice(dir.lastIndexOf('/') + 1);
  if (!/^.+\/sbx-[a-z0-9]{12}$/.test(dir) || dir.split('/').includes('..') || h.project !== id) {
    throw new BackendError('ext.compose-ssh', `refusing to act on the sandbox directory '${dir}'`, {
      retryable: false,
      hint: 'the handle is not one this adapter wrote (<base_dir>/sbx-<id>, project = id)',
    });
  }
  return {
    base: dir.slice(0, dir.lastIndexOf('/')),
    dir,
    repo: `${dir}/repo`,
    meta: `${dir}/meta`,
    project: h.project,
  };
}

export function handleRuntime(h: Handle, config: Record<string, unknown>, env: NodeJS.ProcessEnv): Runtime {
  if (typeof h.compose_cmd === 'string' && typeof h.engine_cmd === 'string') {
    return runtimeFrom({ compose_cmd: h.compose_cmd, engine_cmd: h.engine_cmd }, {});
  }
  return runtimeFrom(config, env);
}

export function composeFilesOf(h: Handle): string[] {
  if (typeof h.compose_files !== 'string') return [];
  try {
    const files = JSON.parse(h.compose_files) as unknown;
    return Array.isArray(files) ? files.map(String) : [];
  } catch {
    return [];
  }
}

/** The container of each service (JSON for the handle), so exec and files need no lookup on the host. */
export function containersByService(containers: ContainerInfo[]): string {
  const out: Record<string, string> = {};
  for (const c of containers) {
    const svc = c.Config?.Labels?.['com.docker.compose.service'];
    if (svc && c.State?.Running !== false) out[svc] = c.Id;
  }
  return JSON.stringify(out);
}

export function containerOf(h: Handle, service: string): string | undefined {
  try {
    const map = typeof h.containers === 'string' ? (JSON.parse(h.containers) as Record<string, unknown>) : {};
    const id = map[service];
    return typeof id === 'string' && /^[0-9a-f]{12,64}$/.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}
