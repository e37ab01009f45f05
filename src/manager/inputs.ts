import { existsSync, statSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import type { Profile } from '../catalog/schema.ts';
import { parseDurationSeconds } from '../core/duration.ts';
import { usageError } from '../core/errors.ts';

/**
 * How a `path` input's value becomes a directory of this machine: by default resolved against the working
 * directory; the HTTP API passes one that refuses paths or keeps them inside `--allow-root` (src/api/paths.ts).
 */
export type PathResolver = (name: string, value: string) => string;

const localPath: PathResolver = (_name, value) => resolvePath(value);

/** Validate inputs against the profile: unknown names, missing required ones, defaults, paths. */
export function resolveInputs(
  profile: Profile,
  given: Record<string, string>,
  paths: PathResolver = localPath,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(given)) {
    if (!(name in profile.inputs)) {
      const known = Object.keys(profile.inputs);
      throw usageError(
        `profile ${profile.id} has no input '${name}'`,
        known.length ? `its inputs are: ${known.join(', ')}` : 'this profile takes no inputs',
      );
    }
  }
  for (const [name, spec] of Object.entries(profile.inputs)) {
    let value = given[name] ?? spec.default;
    if (value === undefined) {
      if (spec.required)
        throw usageError(
          `profile ${profile.id} requires input '${name}'`,
          `pass --input ${name}=<value>${spec.description ? ` (${spec.description})` : ''}`,
        );
      continue;
    }
    if (spec.kind === 'path') {
      value = paths(name, value);
      if (!existsSync(value) || !statSync(value).isDirectory()) {
        throw usageError(`input '${name}': directory '${value}' does not exist`);
      }
    }
    out[name] = value;
  }
  return out;
}

/** The TTL a create asks for (or the profile's default), in seconds, refused past the profile's ttl.max. */
export function resolveTtl(profile: Profile, ttl: string | undefined): number | undefined {
  const raw = ttl ?? profile.ttl.default;
  if (raw === undefined) return undefined;
  const seconds = parseDurationSeconds(raw, 'TTL');
  if (profile.ttl.max !== undefined && seconds > parseDurationSeconds(profile.ttl.max)) {
    throw usageError(
      `TTL ${raw} exceeds the maximum of ${profile.ttl.max} for ${profile.id}`,
      `use --ttl ${profile.ttl.max} or less`,
    );
  }
  return seconds;
}
