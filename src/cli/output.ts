import type { SandboxRecord } from '../core/record.ts';

export function table(rows: Record<string, unknown>[], columns: string[]): string {
  if (rows.length === 0) return '(none)';
  const cells = rows.map((r) =>
    columns.map((c) => (r[c] === undefined || r[c] === null ? '-' : String(r[c]))),
  );
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...cells.map(line)].join('\n');
}

export function describeRecord(r: SandboxRecord): string {
  const lines: [string, string | undefined][] = [
    ['id', r.id],
    ['state', r.state],
    ['profile', `${r.profile_id}@${r.profile_version}`],
    ['extension', r.extension_id],
    ['caller', r.caller && `${r.caller.id} (scope ${r.caller.scope}, over HTTP)`],
    ['created', r.created_at],
    ['ready', r.ready_at],
    ['expires', r.expires_at],
    ['destroyed', r.destroyed_at],
    ['estimate', r.estimate_usd && `$${r.estimate_usd}`],
    ['actual', r.meter && `$${r.meter.actual_usd} (${r.meter.duration_s}s)`],
    ['route', r.route && `${r.route.strategy} → ${r.route.chosen ?? '-'}`],
    [
      'handle',
      Object.keys(r.handle).length
        ? Object.entries(r.handle)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')
        : undefined,
    ],
    [
      'placement',
      Object.keys(r.placement).length
        ? Object.entries(r.placement)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')
        : undefined,
    ],
    [
      'inputs',
      Object.keys(r.inputs).length
        ? Object.entries(r.inputs)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')
        : undefined,
    ],
    ['error', r.error && `${r.error.code}: ${r.error.message}`],
  ];
  return lines
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k.padEnd(10)} ${v}`)
    .join('\n');
}

export const recordRow = (r: SandboxRecord) => ({
  id: r.id,
  state: r.state,
  profile: r.profile_id,
  extension: r.extension_id,
  created: r.created_at,
  expires: r.expires_at,
  cost: r.meter ? `$${r.meter.actual_usd}` : r.estimate_usd ? `~$${r.estimate_usd}` : undefined,
});

export const RECORD_COLUMNS = ['id', 'state', 'profile', 'extension', 'created', 'expires', 'cost'];
