import { open, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';

/** Write a file so readers see the old or the new content, never a torn one (temp file + fsync + rename). */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Create a file only if it does not exist. Returns false when it already exists. */
export async function writeFileExclusive(path: string, data: string): Promise<boolean> {
  // Write to a temp name first, then link into place: a crash never leaves a half-written entry under the key.
  const { link } = await import('node:fs/promises');
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await link(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await rm(tmp, { force: true });
  }
}
