import type { Placement } from '../../catalog/schema.ts';
import type { ExtensionContext } from '../contract.ts';
import { inSession } from '../ssh/connection.ts';
import { preferredTarget } from '../ssh/preferred.ts';
import { runtimeFrom } from './project.ts';
import { baseDir } from './settings.ts';
import { collectTelemetry, type HostTelemetry } from './telemetry.ts';

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

/** The canary's report, flattened into the record's placement (string values). */
export function telemetryPlacement(t: HostTelemetry): Record<string, string> {
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
