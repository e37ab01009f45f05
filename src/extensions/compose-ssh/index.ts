import { SANDBOX_ID_RE } from '../../core/ids.ts';
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { ExtensionManifest, Placement } from '../../catalog/schema.ts';
import { BackendError, CancelledError } from '../../core/errors.ts';
import { deadline } from '../../core/deadline.ts';
import { LABEL, matchesLabels } from '../../core/labels.ts';
import type { Handle } from '../../core/record.ts';
import { manifestPricing } from '../pricing.ts';
import { composeSshConfig } from '../config-schemas.ts';
import { configOf } from '../define.ts';
import type {
  BackendObject,
  Extension,
  ExtensionContext,
  ProvisionContext,
  ProvisionResult,
  TeardownContext,
} from '../contract.ts';
import { failureText, inSession, type SshSession } from '../ssh/connection.ts';
import { parseLabelFiles } from '../ssh/labels-files.ts';
import { args, heredocWrite, sh, trusted } from '../ssh/quote.ts';
import { preferredTarget } from '../ssh/preferred.ts';
import { receiveSealedTar, sealTar } from '../ssh/sealed-tar.ts';
import { resolveTarget, targetFromHandle, targetHandle, type SshTarget } from '../ssh/target.ts';
import { compileExcludes, repoFingerprint, tarStream } from '../ssh/upload.ts';
import { composeFileOf, composePrecheck, excludePatternsOf, localComposeText } from './local.ts';
import { enforcePolicy } from './policy.ts';
import {
  canaryCompose,
  composeShape,
  labelsOverride,
  projectName,
  runtimeFrom,
  safeRelativePath,
  withEphemeralPorts,
  type Runtime,
} from './project.ts';
import {
  expiryCommand,
  inspectManaged,
  layout,
  listDirs,
  parseStatus,
  repoCache,
  statusCommand,
  type UpStatus,
  teardownScript,
  upAndWait,
  type Layout,
} from './remote.ts';
import { composeAccess } from './access.ts';
import { composeFilesOf, containersByService, handleLayout, handleRuntime } from './handle.ts';
import { assess, waitProjectReady, type ContainerInfo } from './ready.ts';
import { collectTelemetry, type HostTelemetry } from './telemetry.ts';

/**
 * ext.compose-ssh: a compose project per sandbox on a placement host reached over SSH. The repo input is
 * streamed in as tar, ownership labels go on every service and volume through an override file, a host-side
 * timer tears the sandbox down at its expiry even if no runner is left, and teardown is idempotent.
 */
const OVERRIDE = '.sandboxer.override.json';
const PORTS_FILE = '.sandboxer.compose.json';

export const baseDir = (config: Record<string, unknown>, env: NodeJS.ProcessEnv) =>
  String(env.SANDBOXER_BASE_DIR ?? config.base_dir ?? '/var/tmp/sandboxer');

const stopTimeout = (config: Record<string, unknown>) => Number(config.stop_timeout_s ?? 10);

/**
 * Telemetry of the placement host (`sandboxer inspect host`, the canary): disk of the sandbox base dir, memory,
 * load, running sandboxer projects. For ext.vm-packer the disk is the workspace root's and there are no projects.
 */
export async function hostTelemetry(ctx: ExtensionContext, placement?: Placement): Promise<HostTelemetry> {
  const target = await preferredTarget(ctx, placement);
  const compose = ctx.manifest.id === 'ext.compose-ssh';
  const path = compose
    ? baseDir(ctx.config, ctx.env)
    : String(ctx.env.SANDBOXER_VM_WORKSPACE_ROOT ?? ctx.config.workspace_root ?? '/build');
  return inSession(ctx, target, (s) =>
    collectTelemetry(s, target.host, path, compose ? runtimeFrom(ctx.config, ctx.env) : undefined),
  );
}

/** How long the start script waits on the host for the containers; waitReady polls on past it. */
const HOST_WAIT_S = 30;

/**
 * The shell that starts a sandbox whose workspace is in l.repo: the labels override and the teardown script, the
 * expiry timer, `compose up -d` and the wait for its containers (see upAndWait). The handle learns the compose
 * files first, so a teardown from the moment the script can run knows what to `compose down`.
 */
async function planStart(
  ctx: ProvisionContext,
  l: Layout,
  rt: Runtime,
  composeFile: string,
  composeText: string,
  repo?: string,
): Promise<{ script: string; services: string[] }> {
  enforcePolicy(composeText, composeFile, { config: ctx.config, log: ctx.log, ...(repo ? { repo } : {}) });
  const shape = composeShape(composeText, composeFile);
  // Host ports are the engine's choice unless the profile pins them (config.host_ports: fixed).
  const ephemeral = configOf(ctx, composeSshConfig).host_ports !== 'fixed';
  const rewritten = posix.join(posix.dirname(composeFile), PORTS_FILE);
  const files = [ephemeral ? rewritten : composeFile, OVERRIDE];
  await ctx.saveHandle({
    compose_files: JSON.stringify(files),
    services: shape.started.join(','),
    ports: JSON.stringify(ctx.profile.ports),
  });
  const script = [
    // However the repo arrived (a tar's own `.` entry carries its mode), the workspace is its owner's alone.
    sh`chmod 700 -- ${l.repo} || exit 1`,
    ...(ephemeral
      ? [heredocWrite(`${l.repo}/${rewritten}`, withEphemeralPorts(composeText, composeFile))]
      : []),
    heredocWrite(`${l.repo}/${OVERRIDE}`, labelsOverride(shape, ctx.labels)),
    heredocWrite(`${l.meta}/teardown.sh`, teardownScript(l, rt, files, stopTimeout(ctx.config))),
    ...(ctx.sandbox.expires_at
      ? [expiryCommand(l, (Date.parse(ctx.sandbox.expires_at) - Date.now()) / 1000, ctx.sandbox.expires_at)]
      : []),
    upAndWait(l, rt, files, shape.started.length, HOST_WAIT_S),
  ].join('\n');
  return { script, services: shape.started };
}

/** What the start script printed: a failure ends provisioning now, a ready project spares waitReady a connection. */
async function afterStart(ctx: ProvisionContext, services: string[], out: string): Promise<void> {
  const up = parseStatus(out);
  const status = assess(services, up);
  if (status.kind === 'failed') throw new BackendError(ctx.manifest.id, status.why, { retryable: false });
  if (status.kind === 'ready') {
    readyAtProvision.add(ctx.sandbox.id);
    await ctx.saveHandle({ containers: containersByService(up.containers) });
  }
}

/**
 * Put the repo input into l.repo and start the project. The host keeps the last few transferred repos (see
 * repoCache) keyed by repoFingerprint, so an unchanged repo (a recreate, the next job of the same commit) comes
 * from the host's cache instead of crossing the network again: then preparing the directory, placing the repo
 * and starting are one round trip; otherwise the transfer and the start are a second one.
 */
async function deployRepo(
  ctx: ProvisionContext,
  s: SshSession,
  l: Layout,
  rt: Runtime,
  repo: string,
  composeFile: string,
): Promise<void> {
  const cfg = configOf(ctx, composeSshConfig);
  const patterns = excludePatternsOf(cfg, repo);
  const excluded = compileExcludes(patterns)(composeFile, false);
  const composeText = localComposeText(ctx.manifest.id, repo, composeFile, excluded);
  const { script: start, services } = await planStart(ctx, l, rt, composeFile, composeText, repo);
  const keep = cfg.repo_cache_entries ?? 8;
  // `s2`: entries of this version are sealed and verified (older, unverified ones are never taken).
  const cache = repoCache(l.base, `${repoFingerprint(repo, patterns)}s2`);
  if (ctx.signal.aborted) throw new CancelledError();
  const first = await prepareAnd(
    ctx,
    s,
    l,
    rt,
    keep === 0 ? `echo ${CACHE_MISS}` : [cache.take(l.repo, CACHE_MISS), start, cache.replenish()].join('\n'),
    keep === 0 ? 'preparing the directory' : 'preparing (repo from the host cache if unchanged) + compose up',
  );
  if (!first.startsWith(CACHE_MISS)) {
    ctx.log.debug(`repo unchanged: taken from the host cache (${cache.tar})`);
    return afterStart(ctx, services, first);
  }
  if (ctx.signal.aborted) throw new CancelledError();
  const out = await s.run(
    (keep === 0
      ? [
          sh`tmp=${`${l.meta}/repo.tar`}`,
          receiveSealedTar(trusted('"$tmp"'), l.repo),
          'rm -f -- "$tmp"',
          start,
        ]
      : [cache.fill(l.repo, keep), start, cache.replenish()]
    ).join('\n'),
    { stdin: sealTar(await tarStream(repo, patterns)), what: 'repo transfer + compose up' },
  );
  await afterStart(ctx, services, out);
}

const CACHE_MISS = 'sandboxer:cache-miss';

/** Sandboxes whose provision already saw them ready (in this process). */
const readyAtProvision = new Set<string>();

/** Create the directory, pin the host key, record labels; the handle is saved before anything exists. */
async function prepare(ctx: ProvisionContext, target: SshTarget, extra: Handle = {}) {
  const rt = runtimeFrom(ctx.config, ctx.env);
  const project = projectName(ctx.sandbox.id);
  const l = layout(baseDir(ctx.config, ctx.env), ctx.sandbox.id, project);
  await ctx.saveHandle({
    ...targetHandle(target),
    project,
    dir: l.dir,
    compose_cmd: rt.compose.join(' '),
    engine_cmd: rt.engine.join(' '),
    ...extra,
  });
  return { rt, l };
}

/**
 * Pin the host key, check the runtime, create the directory and its labels file, then run `then` (one round
 * trip) and return its output.
 */
async function prepareAnd(
  ctx: ProvisionContext,
  s: SshSession,
  l: Layout,
  rt: Runtime,
  then: string,
  what: string,
): Promise<string> {
  await ctx.saveHandle({ ssh_host_key_sha256: s.hostKeySha256, connected: true });
  const r = await s.exec(
    [
      sh`command -v ${rt.compose[0]!} >/dev/null 2>&1 && command -v ${rt.engine[0]!} >/dev/null 2>&1 || { echo ${NO_RUNTIME} >&2; exit 3; }`,
      // Only the sandbox's own user may enter its directory (other tenants of the host may not read the repo).
      sh`(umask 077 && mkdir -p -- ${l.repo} ${l.meta}) && chmod 700 -- ${l.dir} ${l.repo} ${l.meta} || exit 1`,
      heredocWrite(`${l.meta}/labels.json`, JSON.stringify(ctx.labels)),
      then,
    ].join('\n'),
    { what },
  );
  if (r.code === 3 && r.stderr.includes(NO_RUNTIME)) {
    throw new BackendError(
      ctx.manifest.id,
      `'${rt.compose.join(' ')}' / '${rt.engine[0]}' not found on the host`,
      {
        retryable: false,
        hint: 'install docker (compose v2) or podman + podman-compose on the host, or set SANDBOXER_COMPOSE_CMD',
      },
    );
  }
  if (r.code !== 0) {
    throw new BackendError(
      ctx.manifest.id,
      `${what} in ${l.dir} failed (exit ${r.code}): ${failureText(r.stderr || r.stdout)}`,
      { retryable: false },
    );
  }
  return r.stdout;
}

const NO_RUNTIME = 'sandboxer:no-compose-runtime';

/** The canary's report, flattened into the record's placement (string values). */
function telemetryPlacement(t: HostTelemetry): Record<string, string> {
  return {
    disk_available_kib: String(t.disk.available_kib),
    disk_used_pct: String(t.disk.used_pct),
    mem_available_kib: String(t.memory.available_kib),
    mem_total_kib: String(t.memory.total_kib),
    load_1m: String(t.load['1m']),
    cpus: String(t.cpus),
    sandboxer_projects: String(t.projects.length),
  };
}

function placementOf(target: SshTarget, l: Layout): Record<string, string> {
  return { host: target.host, dir: l.dir, project: l.project };
}

async function readyCheck(ctx: ProvisionContext, handle: Handle): Promise<void> {
  if (readyAtProvision.delete(ctx.sandbox.id)) return;
  const target = targetFromHandle(handle);
  const l = handleLayout(handle);
  if (!target || !l)
    throw new BackendError(ctx.manifest.id, 'no host recorded for this sandbox', { retryable: false });
  const rt = handleRuntime(handle, ctx.config, ctx.env);
  const services = String(handle.services ?? '')
    .split(',')
    .filter(Boolean);
  const timeout_s = configOf(ctx, composeSshConfig).ready_timeout_s ?? 300;
  const bound = deadline(timeout_s * 1000, [ctx.signal], 'ready check');
  const signal = bound.signal;
  let last: UpStatus | undefined;
  await inSession({ ...ctx, signal }, target, async (s) => {
    await waitProjectReady({
      extId: ctx.manifest.id,
      services,
      signal,
      userSignal: ctx.signal,
      timeout_s,
      status: async () =>
        (last = parseStatus(await s.run(statusCommand(l, rt), { what: 'status', retryable: true }))),
      runHealthcheck: async (id) =>
        rt.engine[0] === 'podman' ? (await s.exec(sh`podman healthcheck run ${id}`)).code === 0 : undefined,
    });
  }).finally(bound.clear);
  if (last) await ctx.saveHandle({ containers: containersByService(last.containers) });
}

async function teardownHandle(ctx: ExtensionContext, handle: Handle): Promise<void> {
  const target = targetFromHandle(handle);
  const l = handleLayout(handle);
  // Nothing was ever made: provisioning never got a connection to the host (no remote command ran).
  if (!target || !l || handle.connected !== true) return;
  const rt = handleRuntime(handle, ctx.config, ctx.env);
  await inSession(ctx, target, (s) =>
    s.run('sh -s', {
      stdin: teardownScript(l, rt, composeFilesOf(handle), stopTimeout(ctx.config)),
      what: 'teardown',
      retryable: true,
    }),
  );
}

export function composeSsh(manifest: ExtensionManifest): Extension {
  const ext: Extension = {
    id: manifest.id,

    precheck: composePrecheck,

    async provision(ctx): Promise<ProvisionResult> {
      const repo = ctx.sandbox.inputs.repo;
      const cfg = configOf(ctx, composeSshConfig);
      const canary = cfg.canary === true && !repo;
      if (!repo && !canary) {
        throw new BackendError(manifest.id, 'this profile has no repo input to deploy', {
          retryable: false,
          hint: 'pass --input repo=<dir with a compose file>',
        });
      }
      const composeFile = canary ? 'docker-compose.yml' : composeFileOf(cfg, ctx.sandbox.inputs);
      const target = await preferredTarget(ctx, ctx.profile.placement);
      const { rt, l } = await prepare(ctx, target);
      let telemetry: HostTelemetry | undefined;
      await inSession(ctx, target, async (s) => {
        if (!canary) return deployRepo(ctx, s, l, rt, repo!, composeFile);
        const image = String(
          ctx.env.SANDBOXER_CANARY_IMAGE ?? cfg.canary_image ?? 'docker.io/library/busybox:1.36',
        );
        const composeText = canaryCompose(image);
        const { script, services } = await planStart(ctx, l, rt, composeFile, composeText);
        const out = await prepareAnd(
          ctx,
          s,
          l,
          rt,
          [heredocWrite(`${l.repo}/${composeFile}`, composeText), script].join('\n'),
          'deploying the canary',
        );
        await afterStart(ctx, services, out);
        telemetry = await collectTelemetry(s, target.host, l.base, rt);
      });
      return {
        handle: {},
        placement: { ...placementOf(target, l), ...(telemetry ? telemetryPlacement(telemetry) : {}) },
      };
    },

    waitReady: readyCheck,

    ...composeAccess(),

    async teardown(ctx: TeardownContext) {
      await teardownHandle(ctx, ctx.sandbox.handle);
    },

    ...manifestPricing(manifest),

    async list(ctx, filter) {
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
    },

    async extendTtl(ctx, expiresAt, fromNow_s) {
      const h = ctx.sandbox.handle;
      const target = targetFromHandle(h);
      const l = handleLayout(h);
      if (!target || !l)
        throw new BackendError(manifest.id, 'no host recorded for this sandbox', { retryable: false });
      await inSession(ctx, target, (s) =>
        s.run(expiryCommand(l, fromNow_s, expiresAt), { what: 'moving the expiry timer' }),
      );
    },

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
  return ext;
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
