import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SandboxerError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { FileStateStore } from './file/file-store.ts';
import { MemoryStateStore } from './memory/memory-store.ts';
import { sqliteFile, stateDir } from './paths.ts';
import { PostgresStateStore, redactUrl } from './postgres/postgres-store.ts';
import { SqliteStateStore, sqliteAvailable } from './sqlite/sqlite-store.ts';
import type { StateStore } from './store.ts';

export const STATE_BACKENDS = ['sqlite', 'file', 'postgres', 'memory'] as const;
export type StateBackend = (typeof STATE_BACKENDS)[number];

/**
 * Which store the CLI and `serve` use: SANDBOXER_STATE_URL (postgres://…) selects PostgreSQL; else
 * SANDBOXER_STATE_BACKEND; else SQLite in the state directory. On a Node without node:sqlite (before 22.13)
 * the default is the file store, unless a SQLite database already exists there (then it is an error, not a
 * silently empty registry).
 */
export function stateBackend(env: NodeJS.ProcessEnv = process.env): StateBackend {
  const url = env.SANDBOXER_STATE_URL?.trim();
  const named = env.SANDBOXER_STATE_BACKEND?.trim();
  if (named && !(STATE_BACKENDS as readonly string[]).includes(named))
    throw new SandboxerError(
      'validation',
      `SANDBOXER_STATE_BACKEND '${named}' is not one of ${STATE_BACKENDS.join(', ')}`,
    );
  if (url) {
    if (!/^postgres(ql)?:\/\//.test(url))
      throw new SandboxerError(
        'validation',
        `SANDBOXER_STATE_URL ${redactUrl(url)} is not a postgres:// URL`,
        {
          hint: 'give postgres://user:password@host:5432/database, or unset it for the local SQLite store',
        },
      );
    if (named && named !== 'postgres')
      throw new SandboxerError(
        'validation',
        `SANDBOXER_STATE_URL is set but SANDBOXER_STATE_BACKEND is ${named}`,
        {
          hint: 'unset one of them',
        },
      );
    return 'postgres';
  }
  if (named === 'postgres')
    throw new SandboxerError('validation', 'SANDBOXER_STATE_BACKEND=postgres needs SANDBOXER_STATE_URL', {
      hint: 'set SANDBOXER_STATE_URL=postgres://user:password@host:5432/database (or pass --state-url)',
    });
  if (named) return named as StateBackend;
  return sqliteAvailable() || existsSync(sqliteFile(env)) ? 'sqlite' : 'file';
}

export function openStateStore(env: NodeJS.ProcessEnv = process.env, log?: Logger): StateStore {
  const backend = stateBackend(env);
  switch (backend) {
    case 'postgres':
      return new PostgresStateStore(env.SANDBOXER_STATE_URL!.trim());
    case 'file':
      return new FileStateStore(stateDir(env));
    case 'memory':
      return new MemoryStateStore();
    case 'sqlite': {
      const store = new SqliteStateStore(sqliteFile(env));
      if (log && hasFileState(stateDir(env)) && store.getMetaSync(FILE_IMPORT_META) === undefined)
        log.warn(
          `file-store state in ${stateDir(env)} is not in ${store.location}: run 'sandboxer state migrate' once to import it (or set SANDBOXER_STATE_BACKEND=file)`,
        );
      return store;
    }
  }
}

export const FILE_IMPORT_META = 'file_import';

/** A file store's records exist in dir (at least one sandbox record file). */
export function hasFileState(dir: string): boolean {
  const sub = join(dir, 'sandboxes');
  if (!existsSync(sub)) return false;
  return readdirSync(sub).some((n) => n.endsWith('.json'));
}
