import { randomBytes } from 'node:crypto';
import type { ExtensionManifest } from '../../catalog/schema.ts';
import { BackendError, CancelledError } from '../../core/errors.ts';
import { SANDBOX_ID_RE } from '../../core/ids.ts';
import { matchesLabels } from '../../core/labels.ts';
import type { Handle } from '../../core/record.ts';
import type { BackendObject, Extension, ExtensionContext, ProvisionContext } from '../contract.ts';
import { manifestPricing } from '../pricing.ts';
import { notYet, poll, ready } from '../../core/poll.ts';
import { inSession, type SshSession } from '../ssh/connection.ts';
import { catLabelFiles, parseLabelFiles } from '../ssh/labels-files.ts';
import { sh, trusted } from '../ssh/quote.ts';
import { preferredTarget } from '../ssh/preferred.ts';
import { resolveTarget, targetFromHandle, targetHandle } from '../ssh/target.ts';
import { workspaceAccess } from '../ssh/workspace-access.ts';
import { repoExcludePatterns, repoTarStream } from '../ssh/upload.ts';
import { receiveSealedTar, sealTar } from '../ssh/sealed-tar.ts';

/**
 * ext.vm-packer in attach mode: an isolated workspace `<workspace_root>/<sandbox-id>/` on an existing build VM
 * (an alias from config.vm_aliases, or host[:port], e.g. a tunnel port), with an optional repo transfer.
 * Ownership labels live next to the workspaces in `<workspace_root>/.sandboxer/<sandbox-id>.json`. Teardown
 * removes only that workspace and its label file; the VM persists.
 */

/** The root for a new workspace. Once made, a workspace's root is the one in its handle, never this again. */
const rootOf = (config: Record<string, unknown>, env: NodeJS.ProcessEnv) =>
  String(env.SANDBOXER_VM_WORKSPACE_ROOT ?? config.workspace_root ?? '/build').replace(/\/+$/, '');

interface Paths {
  root: string;
  workspace: string;
  labels: string;
}

function paths(root: string, sandboxId: string): Paths {
  if (!SANDBOX_ID_RE.test(sandboxId)) throw new Error(`not a sandbox id: ${sandboxId}`);
  return { root, workspace: `${root}/${sandboxId}`, labels: `${root}/.sandboxer/${sandboxId}.json` };
}

function pathsFromHandle(h: Handle): Paths | undefined {
  if (typeof h.workspace !== 'string' || typeof h.workspace_root !== 'string') return undefined;
  const id = h.workspace.slice(h.workspace.lastIndexOf('/') + 1);
  return SANDBOX_ID_RE.test(id) ? paths(h.workspace_root, id) : undefined;
}

function vmSpec(ctx: ProvisionContext): string | undefined {
  const vm = ctx.sandbox.inputs.vm;
  if (!vm) return undefined;
  const aliases = (ctx.config.vm_aliases ?? {}) as Record<string, string>;
  return typeof aliases[vm] === 'string' ? aliases[vm] : vm;
}

const readyCheckOf = (config: Record<string, unknown>, env: NodeJS.ProcessEnv) =>
  env.SANDBOXER_VM_READY_CHECK ?? (typeof config.ready_check === 'string' ? config.ready_check : undefined);

/** Remove a workspace and its labels file (a record's handle or a listed object's); nothing to do when
 *  provisioning never got a connection to the VM. Idempotent. */
async function removeWorkspace(ctx: ExtensionContext, handle: Handle): Promise<void> {
  const target = targetFromHandle(handle);
  const p = pathsFromHandle(handle);
  if (!target || !p || handle.connected !== true) return;
  await inSession(ctx, target, (s) =>
    s.run(sh`rm -rf -- ${p.workspace} ${p.labels}`, { what: 'removing the workspace', retryable: true }),
  );
}

export function vmPacker(manifest: ExtensionManifest): Extension {
  const missingHost = () =>
    new BackendError(manifest.id, 'no VM recorded for this sandbox', { retryable: false });

  async function begin(ctx: ProvisionContext, s: SshSession, p: Paths): Promise<void> {
    await ctx.saveHandle({ ssh_host_key_sha256: s.hostKeySha256, connected: true });
    // Labels first: a workspace never exists without the file that lets `list` find it for reaping.
    await s.run(sh`umask 077 && mkdir -p -- ${`${p.root}/.sandboxer`} && cat > ${p.labels}`, {
      stdin: JSON.stringify(ctx.labels),
      what: 'writing labels',
    });
    // The workspace is its sandbox's alone: other users of the VM may not enter it.
    await s.run(sh`(umask 077 && mkdir -p -- ${p.workspace}) && chmod 700 -- ${p.workspace}`, {
      what: 'creating the workspace',
    });
  }

  async function start(ctx: ProvisionContext, explicit?: string) {
    const target = await preferredTarget(ctx, ctx.profile.placement, explicit);
    const p = paths(rootOf(ctx.config, ctx.env), ctx.sandbox.id);
    await ctx.saveHandle({
      ...targetHandle(target),
      workspace: p.workspace,
      workspace_root: p.root,
      ports: JSON.stringify(ctx.profile.ports),
    });
    return { target, p };
  }

  const ext: Extension = {
    id: manifest.id,

    async provision(ctx) {
      const { target, p } = await start(ctx, vmSpec(ctx));
      const repo = ctx.sandbox.inputs.repo;
      await inSession(ctx, target, async (s) => {
        await begin(ctx, s, p);
        if (repo) {
          const excludes = Array.isArray(ctx.config.exclude) ? ctx.config.exclude.map(String) : [];
          // Sealed: a cut transfer fails the create instead of leaving a partial workspace.
          const receive = receiveSealedTar(trusted('"$tmp"'), p.workspace);
          // The tar's own `.` entry carries the repo's mode: the workspace is made private again after it.
          const close = sh`chmod 700 -- ${p.workspace}`;
          await s.run(['tmp=$(mktemp) || exit 1', receive, 'rm -f -- "$tmp"', close].join('\n'), {
            stdin: sealTar(await repoTarStream(repo, repoExcludePatterns(repo, excludes), ctx.log)),
            what: 'repo transfer',
          });
        }
      });
      return { handle: {}, placement: { host: target.host, workspace: p.workspace } };
    },

    ...workspaceAccess(),

    async waitReady(ctx, handle) {
      const target = targetFromHandle(handle);
      const p = pathsFromHandle(handle);
      if (!target || !p) throw missingHost();
      const check = readyCheckOf(ctx.config, ctx.env);
      await inSession(ctx, target, async (s) => {
        const cmd = check
          ? sh`test -d ${p.workspace} && cd ${p.workspace} && sh -c ${check}`
          : sh`test -d ${p.workspace}`;
        await poll(
          async () => {
            if ((await s.exec(cmd)).code === 0) return ready(undefined);
            if (!check)
              throw new BackendError(manifest.id, `workspace ${p.workspace} is missing`, {
                retryable: false,
              });
            return notYet('the ready check fails');
          },
          { signal: ctx.signal },
        );
      });
    },

    teardown: (ctx) => removeWorkspace(ctx, ctx.sandbox.handle),

    teardownObject: (ctx, object) => removeWorkspace(ctx, object.handle),

    ...manifestPricing(manifest),

    async list(ctx, filter) {
      const target = resolveTarget({ placement: ctx.placement, config: ctx.config, env: ctx.env });
      // Today's root, and every root the caller's records say their workspaces on this VM were made under.
      const roots = new Set([rootOf(ctx.config, ctx.env)]);
      for (const h of ctx.known ?? []) {
        const at = targetFromHandle(h);
        const p = pathsFromHandle(h);
        if (p && at && at.host === target.host && at.port === target.port) roots.add(p.root);
      }
      const out: BackendObject[] = [];
      await inSession(ctx, target, async (s) => {
        const cmd = [...roots].map((r) => catLabelFiles(`${r}/.sandboxer`, 'sbx-*.json')).join('; ');
        const text = await s.run(cmd, { what: 'listing workspaces' });
        const seen = new Set<string>();
        for (const { file, id, labels } of parseLabelFiles(text)) {
          const root = file.slice(0, file.lastIndexOf('/.sandboxer/'));
          const p = paths(root, id);
          if (seen.has(p.workspace)) continue;
          seen.add(p.workspace);
          out.push({
            backend_id: p.workspace,
            sandbox_id: id,
            labels,
            handle: {
              ...targetHandle(target),
              workspace: p.workspace,
              workspace_root: root,
              connected: true,
            },
          });
        }
      });
      return out.filter((o) => matchesLabels(o.labels, filter));
    },

    async snapshot(ctx, name) {
      const target = targetFromHandle(ctx.sandbox.handle);
      const p = pathsFromHandle(ctx.sandbox.handle);
      if (!target || !p) throw missingHost();
      const snapId = `snap-${randomBytes(6).toString('hex')}`;
      const file = `${p.root}/.sandboxer/snapshots/${snapId}.tar`;
      await inSession(ctx, target, (s) =>
        s.run(sh`mkdir -p -- ${`${p.root}/.sandboxer/snapshots`} && tar -cf ${file} -C ${p.workspace} .`, {
          what: `snapshot${name ? ` ${name}` : ''}`,
        }),
      );
      return { handle: { ...targetHandle(target), snapshot_backend_id: snapId, snapshot_file: file } };
    },

    async restore(ctx, snapshot) {
      const file = snapshot.handle.snapshot_file;
      const snapTarget = targetFromHandle(snapshot.handle);
      if (!snapTarget || typeof file !== 'string') throw missingHost();
      const { target, p } = await start(ctx, `${snapTarget.user}@${snapTarget.host}:${snapTarget.port}`);
      await inSession(ctx, target, async (s) => {
        if ((await s.exec(sh`test -f ${file}`)).code !== 0) {
          throw new BackendError(manifest.id, `snapshot ${snapshot.id} is gone from ${target.host}`, {
            retryable: false,
            status: 404,
          });
        }
        await begin(ctx, s, p);
        if (ctx.signal.aborted) throw new CancelledError();
        await s.run(sh`tar -xf ${file} -C ${p.workspace} && chmod 700 -- ${p.workspace}`, {
          what: 'restoring the workspace',
        });
      });
      return {
        handle: { restored_from: String(snapshot.handle.snapshot_backend_id) },
        placement: { host: target.host, workspace: p.workspace },
      };
    },

    async deleteSnapshot(ctx, snapshot) {
      const target = targetFromHandle(snapshot.handle);
      const file = snapshot.handle.snapshot_file;
      if (
        !target ||
        typeof file !== 'string' ||
        !/\/\.sandboxer\/snapshots\/snap-[a-f0-9]{12}\.tar$/.test(file)
      )
        return;
      await inSession(ctx, target, (s) => s.run(sh`rm -f -- ${file}`, { what: 'deleting the snapshot' }));
    },
  };
  return ext;
}
