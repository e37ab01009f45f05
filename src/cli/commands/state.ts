import { usageError } from '../../core/errors.ts';
import { importFileState } from '../../state/migrate.ts';
import { openStateStore, stateBackend } from '../../state/open.ts';
import { stateDir } from '../../state/paths.ts';
import type { Command } from '../command.ts';

export const stateMigrate: Command = {
  name: 'state migrate',
  summary: 'Import file-store state (records, snapshots, ledger, outbox) into the SQLite or PostgreSQL store',
  usage: 'sandboxer state migrate [--from DIR] [--state-url URL] [--json]',
  details: [
    'Reads the file store in --from (default: SANDBOXER_STATE_DIR) and copies it into the configured SQL store:',
    'SQLite (state.db in the state directory) by default, PostgreSQL with SANDBOXER_STATE_URL or --state-url.',
    'Safe to run again: records already imported are kept unless the file has a newer revision, ledger and',
    'outbox entries are imported once. The files are left in place (remove them once you are satisfied).',
    'Examples:',
    '  sandboxer state migrate',
    '  sandboxer state migrate --from ~/.local/share/sandboxer --state-url postgres://sbx@db/sandboxer',
  ].join('\n'),
  options: { from: { type: 'string', description: 'file-store directory to import' } },
  async run(ctx, { values }) {
    const backend = stateBackend(ctx.env);
    if (backend !== 'sqlite' && backend !== 'postgres')
      throw usageError(
        `state migrate: the configured store is ${backend}, not SQL`,
        'unset SANDBOXER_STATE_BACKEND (SQLite) or set SANDBOXER_STATE_URL (PostgreSQL)',
      );
    const store = openStateStore(ctx.env) as Parameters<typeof importFileState>[1];
    try {
      const r = await importFileState(
        typeof values.from === 'string' ? values.from : stateDir(ctx.env),
        store,
      );
      if (ctx.json) {
        ctx.out(JSON.stringify(r, null, 2));
        return;
      }
      ctx.out(
        [
          `from ${r.from} into ${r.to}:`,
          `  sandboxes  ${r.sandboxes.imported} imported, ${r.sandboxes.updated} updated, ${r.sandboxes.unchanged} unchanged`,
          `  snapshots  ${r.snapshots}`,
          `  entries    ${r.entries.imported} imported, ${r.entries.unchanged} already there (ledger, outbox, samples)`,
        ].join('\n'),
      );
    } finally {
      await store.close?.();
    }
  },
};

export const stateInfo: Command = {
  name: 'state info',
  summary: 'Where state lives: the store kind and its location',
  usage: 'sandboxer state info [--json]',
  async run(ctx) {
    const store = openStateStore(ctx.env);
    try {
      const info = {
        kind: store.kind,
        location: store.location,
        records: (await store.listSandboxes()).length,
      };
      ctx.out(
        ctx.json
          ? JSON.stringify(info, null, 2)
          : `${info.kind} ${info.location} (${info.records} sandbox records)`,
      );
    } finally {
      await store.close?.();
    }
  },
};

export const stateCommands: Command[] = [stateMigrate, stateInfo];
