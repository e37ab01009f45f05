import type { PortSpec } from '../../catalog/schema.ts';
import { BackendError } from '../../core/errors.ts';
import type { Handle } from '../../core/record.ts';
import type { AccessContext, AccessMethods, Endpoint } from '../contract.ts';
import { execOver, getCommand, getOver, putCommand, putOver } from './access.ts';
import { remotePath } from './exec-commands.ts';
import type { Place } from './place.ts';
import { inAccessSession } from './connection.ts';
import { targetFromHandle, type SshTarget } from './target.ts';

/**
 * Access to a workspace directory on an SSH host (ext.vm-packer): exec in it, files in and out, and the
 * profile's declared ports on that host as endpoints. The handle must record `workspace` (an absolute path).
 */
function at(ctx: AccessContext): { target: SshTarget; place: Place } {
  const h = ctx.sandbox.handle;
  const target = targetFromHandle(h);
  if (!target || typeof h.workspace !== 'string' || !h.workspace.startsWith('/'))
    throw new BackendError(ctx.manifest.id, 'no workspace recorded for this sandbox', { retryable: false });
  return { target, place: { workspace: h.workspace } };
}

export function declaredPortsOf(h: Handle): PortSpec[] {
  try {
    return typeof h.ports === 'string' ? (JSON.parse(h.ports) as PortSpec[]) : [];
  } catch {
    return [];
  }
}

export function workspaceAccess(): AccessMethods {
  return {
    async endpoints(ctx): Promise<Endpoint[]> {
      const { target } = at(ctx);
      return declaredPortsOf(ctx.sandbox.handle).map((p) => ({
        service: p.service ?? 'sandbox',
        port: p.port,
        host: target.host,
        host_port: p.port,
        protocol: p.protocol,
        ...(p.protocol === 'http' ? { url: `http://${target.host}:${p.port}` } : {}),
      }));
    },
    async exec(ctx, req, out) {
      const { target, place } = at(ctx);
      return inAccessSession(ctx, target, (s) => execOver(s, ctx, req, place, out));
    },
    async putFiles(ctx, req, tar) {
      const { target, place } = at(ctx);
      const cmd = putCommand(remotePath(req.path, place), place);
      await inAccessSession(ctx, target, (s) => putOver(s, ctx, cmd, tar));
    },
    async getFiles(ctx, req) {
      const { target, place } = at(ctx);
      return getOver(ctx, target, getCommand(remotePath(req.path, place), place));
    },
  };
}
