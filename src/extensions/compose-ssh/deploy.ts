import { posix } from 'node:path';
import { BackendError, CancelledError } from '../../core/errors.ts';
import type { Handle } from '../../core/record.ts';
import { composeSshConfig } from '../config-schemas.ts';
import { configOf } from '../define.ts';
import type { ProvisionContext } from '../contract.ts';
import { failureText, type SshSession } from '../ssh/connection.ts';
import { heredocWrite, sh, trusted } from '../ssh/quote.ts';
import { receiveSealedTar, sealTar } from '../ssh/sealed-tar.ts';
import { targetHandle, type SshTarget } from '../ssh/target.ts';
import { compileExcludes, repoFingerprint, repoTarStream } from '../ssh/upload.ts';
import { excludePatternsOf, localComposeText } from './local.ts';
import { enforcePolicy } from './policy.ts';
import {
  composeShape,
  labelsOverride,
  projectName,
  runtimeFrom,
  withEphemeralPorts,
  type Runtime,
} from './project.ts';
import {
  expiryCommand,
  layout,
  parseStatus,
  repoCache,
  teardownScript,
  upAndWait,
  type Layout,
} from './remote.ts';
import { containersByService } from './handle.ts';
import { assess } from './ready.ts';
import { baseDir, stopTimeout } from './settings.ts';

// How a sandbox's project is put on the host and started: the workspace, the start script, its outcome.

const OVERRIDE = '.sandboxer.override.json';
const PORTS_FILE = '.sandboxer.compose.json';

/** How long the start script waits on the host for the containers; waitReady polls on past it. */
const HOST_WAIT_S = 30;

/**
 * The shell that starts a sandbox whose workspace is in l.repo: the labels override and the teardown script, the
 * expiry timer, `compose up -d` and the wait for its containers (see upAndWait). The handle learns the compose
 * files first, so a teardown from the moment the script can run knows what to `compose down`.
 */
export async function planStart(
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
export async function afterStart(ctx: ProvisionContext, services: string[], out: string): Promise<void> {
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
export async function deployRepo(
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
    { stdin: sealTar(await repoTarStream(repo, patterns, ctx.log)), what: 'repo transfer + compose up' },
  );
  await afterStart(ctx, services, out);
}

const CACHE_MISS = 'sandboxer:cache-miss';

/** Sandboxes whose provision already saw them ready (in this process). */
export const readyAtProvision = new Set<string>();

/** Create the directory, pin the host key, record labels; the handle is saved before anything exists. */
export async function prepare(ctx: ProvisionContext, target: SshTarget, extra: Handle = {}) {
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
export async function prepareAnd(
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

export function placementOf(target: SshTarget, l: Layout): Record<string, string> {
  return { host: target.host, dir: l.dir, project: l.project };
}
