import { existsSync, realpathSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { shown, usageError } from '../core/errors.ts';
import { insideDir } from '../core/inside-dir.ts';
import type { PathResolver } from '../manager/inputs.ts';

const ROOT_HINT = 'start `sandboxer serve` with --allow-root DIR and pass a path inside DIR (relative to it)';

/** The server's --allow-root, resolved once at start (it must be an existing directory). */
export function resolveAllowRoot(dir: string): string {
  const abs = resolve(dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory())
    throw usageError(`--allow-root ${shown(dir)} is not a directory`, 'pass an existing directory');
  return realpathSync(abs);
}

/**
 * How `path` inputs (a profile input of kind `path`, such as `repo`) are taken over HTTP: refused without an
 * allowed root; with one, resolved against it and kept inside it — no `..`, no absolute path elsewhere, no
 * symbolic link leading out. `root` is a realpath (resolveAllowRoot).
 */
export function apiPathResolver(root: string | undefined): PathResolver {
  return (name, value) => {
    if (root === undefined)
      throw usageError(
        `input '${name}' names a directory on the server, and this server refuses path inputs over HTTP`,
        ROOT_HINT,
      );
    if (value.split(/[\\/]/).includes('..'))
      throw usageError(`input '${name}': '..' is not allowed in a path over HTTP`, ROOT_HINT);
    const p = resolve(root, value);
    if (!insideDir(root, p))
      throw usageError(`input '${name}' is outside the server's --allow-root`, ROOT_HINT);
    if (!existsSync(p) || !statSync(p).isDirectory())
      throw usageError(
        `input '${name}': directory ${shown(value)} does not exist under the server's --allow-root`,
      );
    const real = realpathSync(p);
    if (!insideDir(root, real))
      throw usageError(
        `input '${name}' goes through a symbolic link that leads outside the server's --allow-root`,
        ROOT_HINT,
      );
    return real;
  };
}
