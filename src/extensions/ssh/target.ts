import { homedir } from 'node:os';
import { join } from 'node:path';
import * as z from 'zod';
import type { Placement } from '../../catalog/schema.ts';
import { shown, usageError } from '../../core/errors.ts';
import type { Handle } from '../../core/record.ts';

/**
 * Where and how to reach a placement host. Only non-secret facts: the private key is referenced by `key_ref`
 * and resolved into memory at use, never stored. Saved into the sandbox handle (ssh_* keys) so teardown, reaping
 * and expiry find the host again without the profile, and pinned to the host key seen at provision.
 */
export const SshTarget = z
  .object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535),
    user: z.string().min(1),
    /** Pinned host key, SHA256:<base64>. When set, known_hosts is not consulted. */
    host_key_sha256: z.string().optional(),
    known_hosts: z.string().optional(),
    key_ref: z.string().optional(),
    /** Explicit opt-out of host key verification (logged loudly on every connection). */
    insecure_accept_any_host_key: z.boolean().default(false),
  })
  .strict();
export type SshTarget = z.infer<typeof SshTarget>;

/** `[user@]host[:port]` (IPv6 literals in brackets: `[::1]:2222`). */
export function parseHostSpec(spec: string): { user?: string; host: string; port?: number } {
  const m = /^(?:([A-Za-z0-9._-]+)@)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?$/.exec(spec.trim());
  if (!m)
    throw usageError(`${shown(spec)} is not a host`, 'use [user@]host[:port], e.g. sandboxer@10.0.0.5:22');
  const port = m[3] ? Number(m[3]) : undefined;
  if (port !== undefined && (port < 1 || port > 65535)) throw usageError(`port ${port} is out of range`);
  return {
    ...(m[1] ? { user: m[1] } : {}),
    host: m[2]!.replace(/^\[|\]$/g, ''),
    ...(port ? { port } : {}),
  };
}

const truthy = (v: unknown) => v === true || v === '1' || v === 'true';

/**
 * Resolve the target for a new sandbox. Precedence: `SANDBOXER_HOST` ([user@]host[:port]) over an explicit host
 * (e.g. a VM input) over the profile placement over extension config.
 */
export function resolveTarget(input: {
  placement: Placement | undefined;
  config: Record<string, unknown>;
  env: NodeJS.ProcessEnv;
  explicit?: string | undefined;
}): SshTarget {
  const { placement, config, env } = input;
  const override = env.SANDBOXER_HOST ? parseHostSpec(env.SANDBOXER_HOST) : undefined;
  const explicit = input.explicit ? parseHostSpec(input.explicit) : undefined;
  const host = override?.host ?? explicit?.host ?? placement?.host ?? (config.host as string | undefined);
  if (!host) {
    throw usageError(
      'no placement host for this sandbox',
      "set placement.host in the profile, or SANDBOXER_HOST=[user@]host[:port] (e.g. from 'bash scripts/test-host/setup.sh')",
    );
  }
  const known = placement?.known_hosts ?? env.SANDBOXER_KNOWN_HOSTS;
  const pinned = placement?.host_key_sha256 ?? env.SANDBOXER_HOST_KEY_SHA256;
  // Without a profile (list, inspect) the extension config names the key; the shipped profiles use the same ref.
  const keyRef = placement?.key_ref ?? (typeof config.key_ref === 'string' ? config.key_ref : undefined);
  return SshTarget.parse({
    host,
    port: override?.port ?? explicit?.port ?? placement?.port ?? Number(config.port ?? 22),
    user: override?.user ?? explicit?.user ?? env.SANDBOXER_SSH_USER ?? placement?.user ?? 'sandboxer',
    ...(pinned ? { host_key_sha256: pinned } : {}),
    known_hosts: known ?? join(homedir(), '.ssh', 'known_hosts'),
    ...(keyRef ? { key_ref: keyRef } : {}),
    insecure_accept_any_host_key:
      truthy(config.insecure_accept_any_host_key) || truthy(env.SANDBOXER_SSH_INSECURE_ACCEPT_ANY_HOST_KEY),
  });
}

/** Handle fields for a target (prefixed ssh_ so they do not collide with the adapter's own). */
export function targetHandle(t: SshTarget): Handle {
  return {
    ssh_host: t.host,
    ssh_port: t.port,
    ssh_user: t.user,
    ...(t.host_key_sha256 ? { ssh_host_key_sha256: t.host_key_sha256 } : {}),
    ...(t.known_hosts ? { ssh_known_hosts: t.known_hosts } : {}),
    ...(t.key_ref ? { ssh_key_ref: t.key_ref } : {}),
    ...(t.insecure_accept_any_host_key ? { ssh_insecure: true } : {}),
  };
}

/** The target saved in a handle, or undefined when provisioning never got as far as choosing a host. */
export function targetFromHandle(h: Handle): SshTarget | undefined {
  if (typeof h.ssh_host !== 'string') return undefined;
  return SshTarget.parse({
    host: h.ssh_host,
    port: Number(h.ssh_port ?? 22),
    user: String(h.ssh_user ?? 'sandboxer'),
    ...(typeof h.ssh_host_key_sha256 === 'string' ? { host_key_sha256: h.ssh_host_key_sha256 } : {}),
    ...(typeof h.ssh_known_hosts === 'string' ? { known_hosts: h.ssh_known_hosts } : {}),
    ...(typeof h.ssh_key_ref === 'string' ? { key_ref: h.ssh_key_ref } : {}),
    insecure_accept_any_host_key: h.ssh_insecure === true,
  });
}
