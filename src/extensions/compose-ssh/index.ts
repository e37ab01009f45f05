import type { ExtensionManifest } from '../../catalog/schema.ts';
import { BackendError } from '../../core/errors.ts';
import { deadline } from '../../core/deadline.ts';
import type { Handle } from '../../core/record.ts';
import { manifestPricing } from '../pricing.ts';
import { composeSshConfig } from '../config-schemas.ts';
import { configOf } from '../define.ts';
import type {
  Extension,
  ExtensionContext,
  ProvisionContext,
  ProvisionResult,
  TeardownContext,
} from '../contract.ts';
import { inSession } from '../ssh/connection.ts';
import { heredocWrite, sh } from '../ssh/quote.ts';
import { preferredTarget } from '../ssh/preferred.ts';
import { targetFromHandle } from '../ssh/target.ts';
import { composeFileOf, composePrecheck } from './local.ts';
import { canaryCompose } from './project.ts';
import { expiryCommand, parseStatus, statusCommand, teardownScript, type UpStatus } from './remote.ts';
import { composeAccess } from './access.ts';
import {
  afterStart,
  deployRepo,
  placementOf,
  planStart,
  prepare,
  prepareAnd,
  readyAtProvision,
} from './deploy.ts';
import { composeFilesOf, containersByService, handleLayout, handleRuntime } from './handle.ts';
import { telemetryPlacement } from './host-telemetry.ts';
import { listObjects } from './listing.ts';
import { waitProjectReady } from './ready.ts';
import { stopTimeout } from './settings.ts';
import { composeSnapshots } from './snapshots.ts';
import { collectTelemetry, type HostTelemetry } from './telemetry.ts';

export { baseDir } from './settings.ts';
export { hostTelemetry } from './host-telemetry.ts';

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
      progress: (why) => ctx.log.info(`waiting for ${ctx.sandbox.id}: ${why}`),
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

/**
 * ext.compose-ssh: a compose project per sandbox on a placement host reached over SSH. The repo input is
 * streamed in as tar, ownership labels go on every service and volume through an override file, a host-side
 * timer tears the sandbox down at its expiry even if no runner is left, and teardown is idempotent.
 */
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

    list: listObjects,

    teardownObject: (ctx, object) => teardownHandle(ctx, object.handle),

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

    ...composeSnapshots(manifest),
  };
  return ext;
}
