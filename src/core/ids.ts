import { randomBytes } from 'node:crypto';
import { shown, usageError } from './errors.ts';

// Lowercase base32 without ambiguous letters: ids are used in compose project names, directory names, labels
// and artifact names, so they must be safe in all of them without quoting.
const ALPHABET = 'abcdefghjkmnpqrstvwxyz0123456789';

function randomToken(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length];
  return out;
}

export const SANDBOX_ID_RE = /^sbx-[a-z0-9]{12}$/;
export const SNAPSHOT_ID_RE = /^snap-[a-z0-9]{12}$/;

export const newSandboxId = (): string => `sbx-${randomToken(12)}`;
export const newSnapshotId = (): string => `snap-${randomToken(12)}`;

export const isSandboxId = (s: string): boolean => SANDBOX_ID_RE.test(s);
export const isSnapshotId = (s: string): boolean => SNAPSHOT_ID_RE.test(s);

/** The longest snapshot name accepted. */
export const SNAPSHOT_NAME_MAX = 200;

/**
 * A snapshot name as given (CLI, action, API): 1..200 characters, no control characters, no path separator
 * (a name never becomes a path). Anything else is a usage error naming the field, before anything is written.
 */
export function checkSnapshotName(name: string | undefined): void {
  if (name === undefined) return;
  const why = !name.trim()
    ? 'is empty'
    : name.length > SNAPSHOT_NAME_MAX
      ? `is longer than ${SNAPSHOT_NAME_MAX} characters`
      : /[\p{Cc}\u2028\u2029]/u.test(name)
        ? 'holds a control character (newline, escape)'
        : /[/\\]/.test(name)
          ? "holds a path separator ('/' or '\\')"
          : undefined;
  if (why)
    throw usageError(
      `snapshot name ${shown(name)} ${why}`,
      'use letters, digits and . _ - (e.g. before-migration)',
    );
}
