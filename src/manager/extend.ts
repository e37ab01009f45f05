import type { ExtensionManifest, Profile } from '../catalog/schema.ts';
import { parseDurationSeconds } from '../core/duration.ts';
import { SandboxerError, usageError } from '../core/errors.ts';
import { fromMicros, toMicros } from '../core/money.ts';
import type { SandboxRecord } from '../core/record.ts';
import type { Extension } from '../extensions/contract.ts';
import type { HookBus } from './hook-bus.ts';

/**
 * extend-ttl's checks before anything changes, kept out of the manager: the profile's maximum lifetime, then the
 * money path a create goes through (every hook's beforeExtend: credits hold the added time's estimate against
 * the balance and budget, and refuse with insufficient_credits).
 */

/** Only a live sandbox can be extended. */
export function assertExtendable(r: SandboxRecord): SandboxRecord {
  if (r.state !== 'ready' && r.state !== 'provisioning') {
    throw new SandboxerError(
      'illegal_transition',
      `sandbox ${r.id} is ${r.state}; only a live sandbox can be extended`,
    );
  }
  return r;
}

/** The expiry an extension by `add_s` would give `r` now: max(current expiry, now) + add_s. */
export function extendedExpiry(r: SandboxRecord, add_s: number, now: number): string {
  const base = Math.max(Date.parse(r.expires_at ?? new Date(now).toISOString()), now);
  return new Date(base + add_s * 1000).toISOString();
}

/** Refuse an expiry past the profile's ttl.max (a usage error, exit 2). */
export function assertWithinMax(
  profile: Profile | undefined,
  r: SandboxRecord,
  expires_at: string,
  duration: string,
): void {
  if (!profile?.ttl.max) return;
  const max_s = parseDurationSeconds(profile.ttl.max);
  if (Date.parse(expires_at) - Date.parse(r.created_at) > max_s * 1000) {
    throw usageError(
      `extending by ${duration} would exceed the maximum lifetime of ${profile.ttl.max} for ${profile.id}`,
    );
  }
}

/**
 * Check the lifetime and reserve the added time's cost; returns the estimate, to add to the record's. Throws
 * (insufficient_credits, exit 1) when the balance or budget cannot cover it — before the record or backend change.
 */
export async function reserveExtension(input: {
  bus: HookBus;
  record: SandboxRecord;
  profile: Profile | undefined;
  manifest: ExtensionManifest;
  ext: Extension;
  add_s: number;
  duration: string;
  now: number;
}): Promise<string> {
  const { record, manifest, add_s } = input;
  if (!manifest.capabilities.extend_ttl && manifest.capabilities.host_expiry) {
    // The backend enforces the lifetime fixed at create: recording a later expiry would be a lie.
    throw new SandboxerError(
      'unsupported',
      `extend-ttl is not supported by this backend: ${manifest.id} fixes a sandbox's lifetime at create`,
      {
        exitCode: 2,
        hint: `snapshot it and restore with a longer --ttl ('sandboxer snapshot ${record.id}', then 'sandboxer restore SNAPSHOT_ID --ttl DUR')`,
      },
    );
  }
  const expires_at = extendedExpiry(record, add_s, input.now);
  assertWithinMax(input.profile, record, expires_at, input.duration);
  const estimate_usd = input.ext.estimateCost({ resources: record.resources, ttl_s: add_s, manifest }).usd;
  const ref = `extend-${Date.parse(expires_at)}`;
  await input.bus.gate('beforeExtend', { record, manifest, add_s, estimate_usd, ref });
  return estimate_usd;
}

/** The record's estimate after an extension (decimal dollars). */
export const addEstimate = (current: string | undefined, extra: string): string =>
  fromMicros(toMicros(current ?? '0') + toMicros(extra));
