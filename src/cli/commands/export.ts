import { usageError } from '../../core/errors.ts';
import { finHubConfig } from '../../export/config.ts';
import { pendingEvents, replayOutbox } from '../../export/outbox.ts';
import type { Command } from '../command.ts';
import { table } from '../output.ts';

export const exportReplay: Command = {
  name: 'export replay',
  summary:
    'Send every usage record fin-hub has not acknowledged (the outbox), and settle what a crash cut short',
  usage: 'sandboxer export replay [--limit N] [--json]',
  details: [
    'Needs SANDBOXER_FIN_HUB_URL. Terminal metered sandboxes whose debit or usage record is missing are settled and',
    'queued first; then queued records are sent oldest first with retries. Duplicates (409/422) count as delivered.',
    'Exit 1 when records remain unacknowledged (they stay queued for the next replay).',
    'Examples:',
    '  SANDBOXER_FIN_HUB_URL=https://fin-hub.example/v1/usage sandboxer export replay',
    '  sandboxer export replay --limit 100 --json',
  ].join('\n'),
  options: { limit: { type: 'string', description: 'send at most N queued records' } },
  async run(ctx, { values }) {
    if (!finHubConfig(ctx.env))
      throw usageError(
        'fin-hub export is disabled: SANDBOXER_FIN_HUB_URL is not set',
        'set SANDBOXER_FIN_HUB_URL (and SANDBOXER_FIN_HUB_TOKEN if the collector needs one), then run again',
      );
    let limit: number | undefined;
    if (values.limit !== undefined) {
      limit = Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1)
        throw usageError(`--limit '${String(values.limit)}' is not a positive integer`);
    }
    const r = await replayOutbox(ctx.manager().store, ctx.env, {
      log: ctx.log,
      signal: ctx.signal,
      ...(limit ? { limit } : {}),
    });
    if (ctx.json) ctx.out(JSON.stringify(r, null, 2));
    else
      ctx.out(
        [
          `delivered  ${r.delivered.length}`,
          `duplicates ${r.duplicates.length} (fin-hub already had them)`,
          `requeued   ${r.requeued.length} (recovered from settled sandboxes)`,
          `remaining  ${r.remaining}`,
          ...r.pending.map((p) => `  ${p.id}: ${p.error}`),
        ].join('\n'),
      );
    return r.remaining > 0 ? 1 : 0;
  },
};

export const exportList: Command = {
  name: 'export list',
  summary: 'List usage records waiting in the fin-hub outbox',
  usage: 'sandboxer export list [--json]',
  async run(ctx) {
    const events = await pendingEvents(ctx.manager().store);
    if (ctx.json) ctx.out(JSON.stringify(events, null, 2));
    else
      ctx.out(
        table(
          events.map((e) => ({
            id: e.id,
            time: e.time,
            extension: e.data.extension_id,
            usd: e.data.actual_usd,
          })),
          ['id', 'time', 'extension', 'usd'],
        ),
      );
  },
};

export const exportCommands = [exportReplay, exportList];
