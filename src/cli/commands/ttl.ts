import { usageError } from '../../core/errors.ts';
import type { Command } from '../command.ts';
import { RECORD_COLUMNS, recordRow, table } from '../output.ts';

export const extendTtl: Command = {
  name: 'extend-ttl',
  summary: "Push a sandbox's expiry later (on the backend where it can extend; always in the record)",
  usage: 'sandboxer extend-ttl ID --duration DUR [--json]',
  details: [
    'The new expiry is max(current expiry, now) + DUR, capped by the profile ttl.max.',
    'Backends that cannot extend a running sandbox get the new expiry recorded only (the output says so);',
    "'sandboxer expire' and 'sandboxer reap-stale' enforce it.",
    'Example:',
    '  sandboxer extend-ttl sbx-xxxxxxxxxxxx --duration 2h',
  ].join('\n'),
  options: { duration: { type: 'string', short: 'd', description: 'how much longer, e.g. 2h' } },
  positionals: ['id'],
  async run(ctx, { values, positionals }) {
    if (values.duration === undefined)
      throw usageError('extend-ttl: --duration is required', 'e.g. --duration 2h (units: s, m, h, d)');
    const { record, pushed, note } = await ctx.manager().extendTtl(positionals[0]!, String(values.duration));
    if (ctx.json) {
      ctx.out(JSON.stringify({ record, pushed, ...(note ? { note } : {}) }, null, 2));
      return;
    }
    ctx.out(
      [
        `${record.id} now expires at ${record.expires_at} (${pushed ? 'pushed to the backend' : 'recorded only'})`,
        ...(note ? [`note: ${note}`] : []),
      ].join('\n'),
    );
  },
};

export const expire: Command = {
  name: 'expire',
  lenientCatalog: true,
  summary: 'Tear down live sandboxes whose TTL has lapsed (dry run unless --apply)',
  usage: 'sandboxer expire [--apply] [--json]',
  details: [
    'Without --apply it lists what would expire and changes nothing. With --apply each one is torn down',
    "through the normal destroy path and ends in the 'expired' state. Exit 1 if any teardown failed.",
  ].join('\n'),
  options: {
    apply: { type: 'boolean', description: 'tear the expired sandboxes down (else only list them)' },
  },
  async run(ctx, { values }) {
    const apply = Boolean(values.apply);
    const { expired, errors } = await ctx.manager().expire({ apply, signal: ctx.signal });
    if (ctx.json) {
      ctx.out(JSON.stringify({ apply, expired, errors }, null, 2));
    } else {
      const title = apply ? `expired ${expired.length}` : `would expire ${expired.length} (dry run)`;
      ctx.out(
        [
          title,
          ...(expired.length ? [table(expired.map(recordRow), RECORD_COLUMNS)] : []),
          ...errors.map((e) => `error: ${e.id}: ${e.error}`),
        ].join('\n'),
      );
    }
    return errors.length ? 1 : 0;
  },
};

export const ttlCommands = [extendTtl, expire];
