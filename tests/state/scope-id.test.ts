import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ownerFromEnv } from '../../src/core/labels.ts';
import { FileStateStore } from '../../src/state/file/file-store.ts';
import { PostgresStateStore } from '../../src/state/postgres/postgres-store.ts';
import { SqliteStateStore } from '../../src/state/sqlite/sqlite-store.ts';
import type { StateStore } from '../../src/state/store.ts';

/** The default ownership scope outside Actions names the state store (#15): two installations, two scopes. */
describe('state store scope ids', () => {
  it('the same store has the same id; another store another', () => {
    const a = new FileStateStore('/tmp/sbx-a/state');
    expect(new FileStateStore('/tmp/sbx-a/./state').scopeId).toBe(a.scopeId);
    expect(new FileStateStore('/tmp/sbx-b/state').scopeId).not.toBe(a.scopeId);
    expect(new SqliteStateStore(join('/tmp/sbx-a', 'state.db')).scopeId).toMatch(/^sq-[0-9a-f]{12}$/);
    const pg = new PostgresStateStore('postgres://u:secret@db:5432/sandboxer');
    expect(pg.scopeId).toBe(new PostgresStateStore('postgres://u:other@db:5432/sandboxer').scopeId);
    expect(pg.scopeId).not.toBe(new PostgresStateStore('postgres://u:secret@db:5432/other').scopeId);
    // Whoever connects (another role, the default port written out): the same database, the same id.
    expect(new PostgresStateStore('postgres://ci:x@DB/sandboxer').scopeId).toBe(pg.scopeId);
  });

  it('a shared store (PostgreSQL) is its own scope: every member and replica on it has one scope', () => {
    const pg = new PostgresStateStore('postgres://u:secret@db:5432/sandboxer');
    expect(pg.shared).toBe(true);
    const a = ownerFromEnv({ USER: 'ann' }, 'laptop', pg.scopeId, pg.shared).scope;
    expect(a).toBe(`store:${pg.scopeId}`);
    expect(ownerFromEnv({ USER: 'api' }, 'replica-2', pg.scopeId, pg.shared).scope).toBe(a);
    expect(ownerFromEnv({ GITHUB_REPOSITORY: 'acme/app' }, 'box', pg.scopeId, pg.shared).scope).toBe(
      'github:acme/app',
    );
    const local: StateStore[] = [
      new FileStateStore('/tmp/sbx-a/state'),
      new SqliteStateStore(join('/tmp/sbx-a', 'state.db')),
    ];
    expect(local.map((s) => s.shared ?? false)).toEqual([false, false]);
  });

  it('is part of the default scope outside Actions, not in Actions or under SANDBOXER_SCOPE', () => {
    const id = new FileStateStore('/tmp/sbx-a/state').scopeId;
    expect(ownerFromEnv({ USER: 'dev' }, 'box', id).scope).toBe(`local:dev@box/${id}`);
    expect(ownerFromEnv({ GITHUB_REPOSITORY: 'acme/app' }, 'box', id).scope).toBe('github:acme/app');
    expect(ownerFromEnv({ SANDBOXER_SCOPE: 'team:x' }, 'box', id).scope).toBe('team:x');
  });
});
