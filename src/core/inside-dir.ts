import { isAbsolute, relative, sep } from 'node:path';

/** Whether path `p` is `root` or below it (both absolute and already resolved: realpath them for symlinks). */
export function insideDir(root: string, p: string): boolean {
  const r = relative(root, p);
  return !(r === '..' || r.startsWith(`..${sep}`) || isAbsolute(r));
}
