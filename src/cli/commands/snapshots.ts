import type { SnapshotRecord } from '../../core/record.ts';
import type { Command } from '../command.ts';
import { describeRecord, table } from '../output.ts';

const SNAPSHOT_COLUMNS = ['id', 'name', 'sandbox', 'extension', 'state', 'created'];

const snapshotRow = (s: SnapshotRecord) => ({
  id: s.id,
  name: s.name,
  sandbox: s.sandbox_id,
  extension: s.extension_id,
  state: s.state,
  created: s.created_at,
});

function describeSnapshot(s: SnapshotRecord): string {
  const lines: [string, string | undefined][] = [
    ['id', s.id],
    ['name', s.name],
    ['state', s.state],
    ['sandbox', s.sandbox_id],
    ['profile', s.profile_id],
    ['extension', s.extension_id],
    ['created', s.created_at],
    [
      'handle',
      Object.entries(s.handle)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ') || undefined,
    ],
  ];
  return lines
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k.padEnd(10)} ${v}`)
    .join('\n');
}

export const snapshot: Command = {
  name: 'snapshot',
  summary: 'Checkpoint a ready sandbox; the snapshot goes into the snapshot index',
  usage: 'sandboxer snapshot ID [--name LABEL] [--json]',
  details: [
    'Backends without snapshot support fail with code "unsupported" and change nothing.',
    'Example:',
    '  sandboxer snapshot sbx-xxxxxxxxxxxx --name before-migration',
  ].join('\n'),
  options: { name: { type: 'string', short: 'n', description: 'a label for the snapshot' } },
  positionals: ['id'],
  async run(ctx, { values, positionals }) {
    const snap = await ctx
      .manager()
      .snapshot(positionals[0]!, values.name === undefined ? undefined : String(values.name));
    ctx.out(ctx.json ? JSON.stringify(snap, null, 2) : describeSnapshot(snap));
  },
};

export const restore: Command = {
  name: 'restore',
  summary: 'Create a new sandbox from a snapshot (on the backend that took it)',
  usage: 'sandboxer restore SNAPSHOT_ID [--ttl DUR] [--json]',
  details: 'The new sandbox records restored_from; the source sandbox is not touched.',
  options: { ttl: { type: 'string', description: 'time to live of the restored sandbox, e.g. 30m' } },
  positionals: ['snapshot_id'],
  async run(ctx, { values, positionals }) {
    const record = await ctx.manager().restore(positionals[0]!, {
      signal: ctx.signal,
      ...(values.ttl ? { ttl: String(values.ttl) } : {}),
    });
    ctx.out(ctx.json ? JSON.stringify(record, null, 2) : describeRecord(record));
  },
};

export const snapshotsList: Command = {
  name: 'snapshots list',
  lenientCatalog: true,
  summary: 'List the snapshot index',
  usage: 'sandboxer snapshots list [--sandbox ID] [--all] [--json]',
  details: 'Deleted snapshots are hidden unless --all is given.',
  options: {
    sandbox: { type: 'string', short: 's', description: 'only snapshots of this sandbox' },
    all: { type: 'boolean', short: 'a', description: 'deleted snapshots too' },
  },
  async run(ctx, { values }) {
    const snaps = await ctx.manager().listSnapshots({
      ...(values.sandbox ? { sandboxId: String(values.sandbox) } : {}),
      all: Boolean(values.all),
    });
    ctx.out(ctx.json ? JSON.stringify(snaps, null, 2) : table(snaps.map(snapshotRow), SNAPSHOT_COLUMNS));
  },
};

export const snapshotsGet: Command = {
  name: 'snapshots get',
  lenientCatalog: true,
  summary: 'Show one snapshot',
  usage: 'sandboxer snapshots get SNAPSHOT_ID [--json]',
  positionals: ['snapshot_id'],
  async run(ctx, { positionals }) {
    const snap = await ctx.manager().getSnapshot(positionals[0]!);
    ctx.out(ctx.json ? JSON.stringify(snap, null, 2) : describeSnapshot(snap));
  },
};

export const snapshotsDelete: Command = {
  name: 'snapshots delete',
  summary: 'Delete a snapshot on its backend and mark it deleted in the index (idempotent)',
  usage: 'sandboxer snapshots delete SNAPSHOT_ID [--json]',
  details: 'Backends that cannot delete snapshots fail with code "unsupported" and keep the index entry.',
  positionals: ['snapshot_id'],
  async run(ctx, { positionals }) {
    const snap = await ctx.manager().deleteSnapshot(positionals[0]!, { signal: ctx.signal });
    ctx.out(ctx.json ? JSON.stringify(snap, null, 2) : describeSnapshot(snap));
  },
};

export const snapshotCommands = [snapshot, restore, snapshotsList, snapshotsGet, snapshotsDelete];
