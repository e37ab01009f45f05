import { SANDBOX_ID_RE } from '../../core/ids.ts';
import { LABEL, matchesLabels } from '../../core/labels.ts';
import type { BackendObject, ExtensionContext } from '../contract.ts';
import { inSession } from '../ssh/connection.ts';
import { parseLabelFiles } from '../ssh/labels-files.ts';
import { resolveTarget, targetHandle, type SshTarget } from '../ssh/target.ts';
import type { ContainerInfo } from './container-info.ts';
import { runtimeFrom, type Runtime } from './project.ts';
import { inspectManaged, listDirs } from './remote.ts';
import { baseDir } from './settings.ts';

/** The sandboxes on the host: every directory with a labels file, and labelled containers without one. */
export async function listObjects(
  ctx: ExtensionContext,
  filter: Record<string, string>,
): Promise<BackendObject[]> {
  const rt = runtimeFrom(ctx.config, ctx.env);
  const target = resolveTarget({ placement: ctx.placement, config: ctx.config, env: ctx.env });
  const base = baseDir(ctx.config, ctx.env);
  const found = new Map<string, BackendObject>();
  await inSession(ctx, target, async (s) => {
    const listed = parseLabelFiles(await s.run(listDirs(base), { what: 'listing sandboxes' }));
    for (const { file, id, labels } of listed) {
      const dir = file.replace(/\/meta\/labels\.json$/, '');
      found.set(id, object(id, labels, target, dir, rt));
    }
    const containers = JSON.parse(
      await s.run(inspectManaged(rt), { what: 'listing containers' }),
    ) as ContainerInfo[];
    for (const c of containers) {
      const labels = c.Config?.Labels ?? {};
      const id = labels[LABEL.sandboxId];
      if (!id || found.has(id) || !SANDBOX_ID_RE.test(id)) continue;
      found.set(id, object(id, labels, target, `${base}/${id}`, rt, c.Created));
    }
  });
  return [...found.values()].filter((o) => matchesLabels(o.labels, filter));
}

function object(
  id: string,
  labels: Record<string, string>,
  target: SshTarget,
  dir: string,
  rt: Runtime,
  created?: string,
): BackendObject {
  return {
    backend_id: id,
    sandbox_id: id,
    labels,
    ...(created ? { created_at: created } : {}),
    handle: {
      ...targetHandle(target),
      project: id,
      dir,
      connected: true,
      compose_cmd: rt.compose.join(' '),
      engine_cmd: rt.engine.join(' '),
    },
  };
}
