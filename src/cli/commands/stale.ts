import { parseDurationSeconds } from '../../core/duration.ts';
import { shown, usageError } from '../../core/errors.ts';
import type { ReapAction, ReapReport } from '../../reaper/reap.ts';
import type { StaleItem, StaleReport } from '../../reaper/stale.ts';
import { DEFAULT_MIN_ORPHAN_AGE_S } from '../../reaper/stale-report.ts';
import type { Command, Options } from '../command.ts';
import { table } from '../output.ts';

/** Like parseDurationSeconds, but "0", "0s", "0m" mean zero (these ages may be turned off). */
export function parseAge(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  if (/^0+(\.0+)?[a-z]*$/i.test(text)) return 0;
  return parseDurationSeconds(text, flag);
}

const COMMON_OPTIONS: Options = {
  'min-orphan-age': {
    type: 'string',
    description: `backend objects (and "gone" records) younger than this are left alone (default ${DEFAULT_MIN_ORPHAN_AGE_S / 60}m; 0 = any age)`,
  },
  'stuck-after': {
    type: 'string',
    description:
      'a requested/provisioning/destroying record older than this is stuck (default: 15m; provisioning: ready_timeout_s + 15m)',
  },
  extension: { type: 'string', short: 'e', multiple: true, description: 'only this extension' },
  'all-scopes': { type: 'boolean', description: 'the same as --scope any' },
  scope: {
    type: 'string',
    description:
      'whose orphans: this ownership scope (default: SANDBOXER_SCOPE, the repository in Actions, else user@host/<state store id>); any = every scope. Objects of other scopes are shown as foreign and never touched',
  },
};

function findOptions(values: Record<string, unknown>) {
  const minOrphanAge_s = parseAge(values['min-orphan-age'], '--min-orphan-age');
  const stuck = parseAge(values['stuck-after'], '--stuck-after');
  const extensions = values.extension as string[] | undefined;
  return {
    ...(minOrphanAge_s !== undefined ? { minOrphanAge_s } : {}),
    ...(stuck !== undefined ? { bounds: { stuck_after_s: stuck } } : {}),
    ...(extensions?.length ? { extensions } : {}),
    ...scopeOption(values),
  };
}

function scopeOption(values: Record<string, unknown>): { scope?: string } {
  if (values['all-scopes']) return { scope: '*' };
  const scope = values.scope as string | undefined;
  if (scope === undefined) return {};
  if (!scope.trim() || /[\p{Cc}]/u.test(scope)) {
    throw usageError(`--scope ${shown(scope)} is not a scope`, 'pass --scope <scope> or --scope any');
  }
  return { scope: scope === 'any' ? '*' : scope };
}

const row = (i: StaleItem | ReapAction) => ({
  kind: i.kind,
  sandbox: i.sandbox_id,
  extension: i.extension_id,
  backend: i.backend_id,
  state: i.state,
  age: i.age_s === undefined ? undefined : `${i.age_s}s`,
  ...('outcome' in i ? { outcome: i.outcome, detail: i.error ?? i.note ?? i.reason } : { reason: i.reason }),
});

function unreachableLines(r: Pick<StaleReport, 'unreachable' | 'not_configured'>): string[] {
  const skipped = [...new Set(r.not_configured.map((u) => u.extension_id))];
  return [
    ...r.unreachable.map(
      (u) =>
        `warning: could not list ${u.extension_id}${u.profile_id ? ` (${u.profile_id})` : ''}: ${u.error}; its records were not checked for missing objects`,
    ),
    ...(skipped.length ? [`not listed (credentials not configured here): ${skipped.join(', ')}`] : []),
  ];
}

export const inspectStale: Command = {
  name: 'inspect stale',
  lenientCatalog: true,
  summary:
    'List what reap-stale would act on: expired, stuck, cleanup-pending, gone and orphaned (read-only)',
  usage:
    'sandboxer inspect stale [--min-orphan-age DUR] [--stuck-after DUR] [--extension ID]... [--scope SCOPE|any] [--json]',
  details: [
    'Kinds: expired (TTL lapsed), stuck (non-terminal past a bound), cleanup (failed, backend cleanup pending),',
    'gone (ready record whose backend object no longer exists), orphaned (backend object with our labels and',
    'no live record), foreign (an object of another ownership scope: shown, never touched).',
  ].join('\n'),
  options: COMMON_OPTIONS,
  async run(ctx, { values }) {
    const { findStale } = await import('../../reaper/stale.ts');
    const report = await findStale(ctx.manager(), { ...findOptions(values), signal: ctx.signal });
    if (ctx.json) {
      ctx.out(
        JSON.stringify({ ...report, items: report.items.map(({ object: _o, ...rest }) => rest) }, null, 2),
      );
      return;
    }
    const e = report.examined;
    ctx.out(
      [
        `${e.records} records (${e.live_records} live), ${e.backend_objects} backend objects on ${e.listed.join(', ') || 'no listable extension'}; scope ${report.scope}`,
        table([...report.items, ...report.foreign].map(row), [
          'kind',
          'sandbox',
          'extension',
          'backend',
          'state',
          'age',
          'reason',
        ]),
        ...unreachableLines(report),
      ].join('\n'),
    );
  },
};

export const reapStaleCommand: Command = {
  name: 'reap-stale',
  lenientCatalog: true,
  summary: 'Reconcile the state store and the backends: tear down what is stale (dry run unless --apply)',
  usage:
    'sandboxer reap-stale [--apply] [--min-orphan-age DUR] [--stuck-after DUR] [--extension ID]... [--scope SCOPE|any] [--json]',
  details: [
    "Records are torn down through the same path as 'sandboxer destroy' (teardown_requested_by: reaper);",
    'orphaned backend objects with the extension teardown. Every action is logged in the state store',
    "collection 'reaper'. After an applied run the fin-hub outbox is replayed. Exit 1 if any action failed.",
    'Examples:',
    '  sandboxer reap-stale                      # what would be reaped',
    '  sandboxer reap-stale --apply --min-orphan-age 30m',
  ].join('\n'),
  options: {
    ...COMMON_OPTIONS,
    apply: {
      type: 'boolean',
      description: 'act; without it nothing is changed and the planned actions are listed',
    },
  },
  async run(ctx, { values }) {
    const { reapStale } = await import('../../reaper/reap.ts');
    const report: ReapReport = await reapStale(ctx.manager(), {
      ...findOptions(values),
      apply: Boolean(values.apply),
      signal: ctx.signal,
      env: ctx.env,
      log: ctx.log,
    });
    if (ctx.json) {
      ctx.out(JSON.stringify(report, null, 2));
    } else {
      const s = report.summary;
      ctx.out(
        [
          report.apply
            ? `reaped: ${s.done} done, ${s.skipped} skipped, ${s.error} failed`
            : `dry run: ${s.planned} planned, ${s.skipped} skipped (run with --apply to act)`,
          table(report.actions.map(row), [
            'kind',
            'sandbox',
            'extension',
            'backend',
            'state',
            'age',
            'outcome',
            'detail',
          ]),
          ...unreachableLines(report),
          ...(report.outbox && !report.outbox.ok ? [`warning: outbox replay: ${report.outbox.error}`] : []),
        ].join('\n'),
      );
    }
    return report.summary.error > 0 ? 1 : 0;
  },
};

export const staleCommands = [inspectStale, reapStaleCommand];
