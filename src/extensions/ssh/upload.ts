import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Logger } from '../../core/logger.ts';
import { byteProgress, megabytes } from '../../core/progress.ts';

interface Rule {
  re: RegExp;
  negate: boolean;
  dirOnly: boolean;
}

function globToRegex(glob: string): string {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // `**/` any leading directories, `/**` everything inside, `**` anything.
        if (glob[i + 2] === '/') {
          re += '(?:.*/)?';
          i += 2;
        } else {
          re += '.*';
          i += 1;
        }
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += `[${glob
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else if (c === '\\' && i + 1 < glob.length) re += `\\${glob[++i]}`;
    else re += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return re;
}

/**
 * A .gitignore-like matcher: `#` comments, `!` negation (last match wins), trailing `/` for directories only,
 * a `/` inside a pattern anchors it to the repo root, `*`, `?`, `[…]` and `**`. Paths are repo-relative with `/`.
 */
export function compileExcludes(patterns: readonly string[]): (path: string, isDir: boolean) => boolean {
  const rules: Rule[] = [];
  for (const raw of patterns) {
    let p = raw.replace(/\s+$/, '');
    if (!p || p.startsWith('#')) continue;
    const negate = p.startsWith('!');
    if (negate) p = p.slice(1);
    const dirOnly = p.endsWith('/');
    if (dirOnly) p = p.replace(/\/+$/, '');
    const anchored = p.includes('/');
    p = p.replace(/^\//, '');
    const body = globToRegex(p);
    rules.push({ re: new RegExp(anchored ? `^${body}$` : `^(?:.*/)?${body}$`), negate, dirOnly });
  }
  return (path, isDir) => {
    let excluded = false;
    for (const r of rules) {
      if (r.dirOnly && !isDir) continue;
      if (r.re.test(path)) excluded = !r.negate;
    }
    return excluded;
  };
}

function readLines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split(/\r?\n/);
  } catch {
    return [];
  }
}

/** The exclude patterns for a repo: `.git/` always, the top-level .gitignore and .sandboxerignore, then extras. */
export function repoExcludePatterns(dir: string, extra: readonly string[] = []): string[] {
  return [
    '.git/',
    ...readLines(join(dir, '.gitignore')),
    ...readLines(join(dir, '.sandboxerignore')),
    ...extra,
  ];
}

/** A tar stream of `dir` (paths relative to it, ownership dropped), skipping excluded paths and their subtrees. */
export async function tarStream(dir: string, patterns: readonly string[]): Promise<Readable> {
  const excluded = compileExcludes(patterns);
  // Loaded on first use, like ssh2: only verbs that transfer a repo pay for it.
  const { create: tarCreate } = await import('tar');
  return tarCreate(
    {
      cwd: dir,
      portable: true,
      filter: (path, entry) => {
        const rel = path.replace(/^\.\/?/, '');
        if (rel === '') return true;
        const isDir =
          'isDirectory' in entry && typeof entry.isDirectory === 'function' && entry.isDirectory();
        return !excluded(rel, isDir);
      },
    },
    ['.'],
  ) as unknown as Readable;
}

/** tarStream of a repo input, with progress lines on `log` while it is sent (then its total). */
export async function repoTarStream(
  dir: string,
  patterns: readonly string[],
  log: Logger,
): Promise<Readable> {
  return (await tarStream(dir, patterns)).pipe(
    byteProgress((n, done) =>
      log.info(`${done ? 'sent the repo' : 'sending the repo'}: ${megabytes(n)} (tar)`),
    ),
  );
}

/**
 * A cheap identity of what tarStream would send: the paths, sizes, modes and mtimes (the same quick check rsync
 * uses by default) of every included entry, plus the patterns. Equal fingerprints let a host reuse its cached tar.
 */
export function repoFingerprint(dir: string, patterns: readonly string[]): string {
  const excluded = compileExcludes(patterns);
  const hash = createHash('sha256').update(patterns.join('\n')).update('\0');
  const walk = (rel: string) => {
    const entries = readdirSync(join(dir, rel), { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const e of entries) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (excluded(path, e.isDirectory())) continue;
      const st = lstatSync(join(dir, path));
      hash.update(`${path}\0${st.mode}\0${st.size}\0${Math.floor(st.mtimeMs)}\0`);
      if (e.isSymbolicLink()) hash.update(`${readlinkSync(join(dir, path))}\0`);
      if (e.isDirectory()) walk(path);
    }
  };
  walk('');
  return hash.digest('hex').slice(0, 32);
}
