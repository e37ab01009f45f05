import { randomBytes } from 'node:crypto';

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
