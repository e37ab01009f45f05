import { randomBytes } from 'node:crypto';
import type { ExtensionManifest } from '../../catalog/schema.ts';
import { BackendError } from '../../core/errors.ts';
import { composeSshConfig } from '../config-schemas.ts';
import { configOf } from '../define.ts';
import type { Extension } from '../contract.ts';
import { inSession } from '../ssh/connection.ts';
import { args, sh } from '../ssh/quote.ts';
import { targetFromHandle, targetHandle } from '../ssh/target.ts';
import { afterStart, placementOf, planStart, prepare, prepareAnd } from './deploy.ts';
import { composeFilesOf, handleLayout, handleRuntime } from './handle.ts';
import { safeRelativePath } from './project.ts';

/** Snapshots of a compose sandbox: its workspace and (config.snapshot_volumes) its volumes as tars on the host. */
export function composeSnapshots(
  manifest: ExtensionManifest,
): Pick<Extension, 'snapshot' | 'restore' | 'deleteSnapshot'> {
  return {
    async snapshot(ctx, name) {
      const h = ctx.sandbox.handle;
      const target = targetFromHandle(h);
      const l = handleLayout(h);
      if (!target || !l)
        throw new BackendError(manifest.id, 'no host recorded for this sandbox', { retryable: false });
      const rt = handleRuntime(h, ctx.config, ctx.env);
      const snapId = `snap-${randomBytes(6).toString('hex')}`;
      const snapDir = `${l.base}/.snapshots/${snapId}`;
      const withVolumes = configOf(ctx, composeSshConfig).snapshot_volumes !== false;
      const engine = args(rt.engine);
      await inSession(ctx, target, (s) =>
        s.run(
          [
            sh`set -e; mkdir -p -- ${`${snapDir}/volumes`}`,
            sh`tar -cf ${`${snapDir}/workspace.tar`} -C ${l.repo} .`,
            withVolumes
              ? sh`for v in $(${engine} volume ls -q --filter label=com.docker.compose.project=${l.project}); do mp=$(${engine} volume inspect --format '{{.Mountpoint}}' "$v"); short=\${v#${`${l.project}_`}}; tar -cf ${`${snapDir}/volumes/`}"$short.tar" -C "$mp" .; done`
              : ':',
            sh`printf '%s\\n' ${JSON.stringify({ of: ctx.sandbox.id, name: name ?? null })} > ${`${snapDir}/meta.json`}`,
          ].join('\n'),
          { what: 'snapshot' },
        ),
      );
      return {
        handle: {
          ...targetHandle(target),
          snapshot_backend_id: snapId,
          snapshot_dir: snapDir,
          compose_file: composeFilesOf(h)[0] ?? 'docker-compose.yml',
        },
      };
    },

    async restore(ctx, snapshot) {
      const sh0 = snapshot.handle;
      const target = targetFromHandle(sh0);
      if (!target || typeof sh0.snapshot_dir !== 'string') {
        throw new BackendError(manifest.id, `snapshot ${snapshot.id} has no host recorded`, {
          retryable: false,
        });
      }
      const snapDir = sh0.snapshot_dir;
      const composeFile = safeRelativePath(String(sh0.compose_file ?? 'docker-compose.yml'), 'compose_file');
      const { rt, l } = await prepare(ctx, target, { restored_from: String(sh0.snapshot_backend_id) });
      await inSession(ctx, target, async (s) => {
        const exists = await s.exec(sh`test -f ${`${snapDir}/workspace.tar`}`);
        if (exists.code !== 0) {
          throw new BackendError(manifest.id, `snapshot ${snapshot.id} is gone from ${target.host}`, {
            retryable: false,
            status: 404,
          });
        }
        const composeText = await prepareAnd(
          ctx,
          s,
          l,
          rt,
          sh`tar -xf ${`${snapDir}/workspace.tar`} -C ${l.repo} && cat -- ${`${l.repo}/${composeFile}`}`,
          'restoring the workspace',
        );
        const engine = args(rt.engine);
        await s.run(
          sh`for f in ${snapDir}/volumes/*.tar; do [ -f "$f" ] || continue; short=$(basename "$f" .tar); v=${`${l.project}_`}"$short"; ${engine} volume create --label ${`com.docker.compose.project=${l.project}`} --label "com.docker.compose.volume=$short" "$v" >/dev/null; mp=$(${engine} volume inspect --format '{{.Mountpoint}}' "$v"); tar -xf "$f" -C "$mp"; done`,
          { what: 'restoring volumes' },
        );
        const { script, services } = await planStart(ctx, l, rt, composeFile, composeText);
        await afterStart(ctx, services, await s.run(script, { what: 'compose up' }));
      });
      return { handle: {}, placement: placementOf(target, l) };
    },

    async deleteSnapshot(ctx, snapshot) {
      const target = targetFromHandle(snapshot.handle);
      const dir = snapshot.handle.snapshot_dir;
      if (!target || typeof dir !== 'string' || !/\/\.snapshots\/snap-[a-f0-9]{12}$/.test(dir)) return;
      await inSession(ctx, target, (s) => s.run(sh`rm -rf -- ${dir}`, { what: 'deleting the snapshot' }));
    },
  };
}
