import type { Placement } from '../../catalog/schema.ts';
import { toSandboxerError } from '../../core/errors.ts';
import type { ExtensionContext } from '../contract.ts';
import { inSession } from '../ssh/connection.ts';
import { preferredTarget, tcpReachable } from '../ssh/preferred.ts';
import { args, sh } from '../ssh/quote.ts';
import type { SshTarget } from '../ssh/target.ts';
import { baseDir } from './index.ts';
import { runtimeFrom } from './project.ts';
import { collectTelemetry } from './telemetry.ts';

/** One finding of `sandboxer doctor`. */
export interface DoctorCheck {
  check: 'placement' | 'ssh port' | 'ssh login' | 'host key' | 'compose' | 'engine' | 'disk';
  ok: boolean;
  detail: string;
  hint?: string;
}

/** Below this much free disk where sandboxes live (or above this much used) the disk check fails. */
export const MIN_FREE_KIB = 2 * 1024 * 1024;
export const MAX_USED_PCT = 95;
const PORT_PROBE_MS = 5000;

const gib = (kib: number) => `${(kib / 1024 / 1024).toFixed(1)} GiB`;

/**
 * What a self-hosted placement host needs, checked in the order a create would hit them: a host chosen
 * (placement.preferred / host / SANDBOXER_HOST), its SSH port open, the host key verified, the login accepted, the
 * compose command and its engine present (ext.compose-ssh), and free disk where sandboxes are made. Read-only:
 * nothing is written on the host. Stops at the first check that leaves nothing further to test.
 */
export async function doctorHost(
  ctx: ExtensionContext,
  placement: Placement | undefined,
): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const add = (check: DoctorCheck['check'], ok: boolean, detail: string, hint?: string) =>
    checks.push({ check, ok, detail, ...(hint ? { hint } : {}) });
  let target: SshTarget;
  try {
    target = await preferredTarget(ctx, placement);
  } catch (err) {
    const e = toSandboxerError(err);
    add('placement', false, e.message, e.hint);
    return checks;
  }
  const where = `${target.host}:${target.port}`;
  add('placement', true, `${target.user}@${where}`);
  if (!(await tcpReachable(target.host, target.port, { ms: PORT_PROBE_MS, signal: ctx.signal }))) {
    add(
      'ssh port',
      false,
      `${where} does not accept a TCP connection`,
      'is sshd running there, and the port open from here?',
    );
    return checks;
  }
  add('ssh port', true, `${where} accepts connections`);
  const compose = ctx.manifest.id === 'ext.compose-ssh';
  try {
    await inSession(ctx, target, async (s) => {
      if (target.insecure_accept_any_host_key)
        add(
          'host key',
          false,
          `${s.hostKeySha256} NOT verified (insecure_accept_any_host_key)`,
          `pin it: placement.host_key_sha256: ${s.hostKeySha256}`,
        );
      else
        add(
          'host key',
          true,
          target.host_key_sha256
            ? `${s.hostKeySha256} (pinned)`
            : `${s.hostKeySha256} (in ${target.known_hosts})`,
        );
      add('ssh login', true, `logged in as ${target.user}`);
      if (compose) {
        const rt = runtimeFrom(ctx.config, ctx.env);
        for (const [check, cmd, flag] of [
          ['compose', rt.compose, 'version'],
          ['engine', rt.engine, '--version'],
        ] as const) {
          const r = await s.exec(sh`${args(cmd)} ${flag}`);
          const first = `${r.stdout}${r.stderr}`.trim().split('\n')[0] ?? '';
          add(
            check,
            r.code === 0,
            r.code === 0
              ? `${cmd.join(' ')}: ${first}`
              : `'${cmd.join(' ')} ${flag}' failed (exit ${r.code}): ${first}`,
            r.code === 0
              ? undefined
              : `install it on the host, or set SANDBOXER_COMPOSE_CMD / SANDBOXER_ENGINE_CMD (compose_cmd / engine_cmd in the extension config)`,
          );
        }
      }
      const path = compose
        ? baseDir(ctx.config, ctx.env)
        : String(ctx.env.SANDBOXER_VM_WORKSPACE_ROOT ?? ctx.config.workspace_root ?? '/build');
      const { disk } = await collectTelemetry(s, target.host, path, undefined);
      const ok = disk.available_kib >= MIN_FREE_KIB && disk.used_pct < MAX_USED_PCT;
      add(
        'disk',
        ok,
        `${gib(disk.available_kib)} free of ${gib(disk.total_kib)} (${disk.used_pct}% used) at ${disk.path}`,
        ok
          ? undefined
          : `sandboxes need at least ${gib(MIN_FREE_KIB)} free there: prune images (podman system prune) or move base_dir`,
      );
    });
  } catch (err) {
    const e = toSandboxerError(err);
    add(/host key/.test(e.message) ? 'host key' : 'ssh login', false, e.message, e.hint);
  }
  return checks;
}
