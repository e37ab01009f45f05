import { dirname, join } from 'node:path';
import type { Logger } from '../../core/logger.ts';
import { FileStateStore } from '../file/file-store.ts';
import { PostgresStateStore } from '../postgres/postgres-store.ts';
import { SqliteStateStore } from '../sqlite/sqlite-store.ts';
import type { StateStore } from '../store.ts';
import type { Coordinator } from './coordinator.ts';
import { LocalCoordinator } from './local-coordinator.ts';
import { PgCoordinator } from './pg-coordinator.ts';

export type { Coordinator } from './coordinator.ts';

/** The coordination the store supports: advisory locks on PostgreSQL, a lock file beside a local store. */
export function coordinatorFor(store: StateStore, log?: Logger): Coordinator {
  if (store instanceof PostgresStateStore) return new PgCoordinator(store, log);
  if (store instanceof SqliteStateStore)
    return new LocalCoordinator(
      store.file === ':memory:' ? undefined : join(dirname(store.file), 'reaper.lock'),
    );
  if (store instanceof FileStateStore) return new LocalCoordinator(join(store.dir, 'reaper.lock'));
  return new LocalCoordinator(undefined);
}
