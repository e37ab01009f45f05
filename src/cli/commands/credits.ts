import { usageError } from '../../core/errors.ts';
import { Ledger, type Balance } from '../../payments/ledger.ts';
import type { Command } from '../command.ts';
import { table } from '../output.ts';

function describeBalance(b: Balance): string {
  const lines: [string, string | undefined][] = [
    [
      'mode',
      b.mode === 'unlimited'
        ? 'unlimited (no grants and no SANDBOXER_BUDGET_USD: spend is recorded, creates are not checked)'
        : b.mode,
    ],
    ['balance', b.balance_usd !== undefined ? `$${b.balance_usd}` : undefined],
    ['granted', `$${b.granted_usd}`],
    ['budget', b.budget_usd !== undefined ? `$${b.budget_usd} (SANDBOXER_BUDGET_USD)` : undefined],
    ['debited', `$${b.debited_usd}`],
    ['held', `$${b.held_usd} (${b.live_holds} live hold${b.live_holds === 1 ? '' : 's'})`],
  ];
  return lines
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k.padEnd(8)} ${v}`)
    .join('\n');
}

export const creditsShow: Command = {
  name: 'credits show',
  summary: 'Show the credits balance: grants (+ budget) − debits − live holds',
  usage: 'sandboxer credits show [--entries] [--json]',
  details: [
    'The ledger lives in the state store (SANDBOXER_STATE_DIR). Until a grant exists or SANDBOXER_BUDGET_USD is',
    'set, credits are unlimited: holds and debits are still recorded, but no create is refused.',
    'Examples:',
    '  sandboxer credits show',
    '  sandboxer credits show --entries --json',
  ].join('\n'),
  options: {
    entries: { type: 'boolean', description: 'also list every ledger entry (grants, holds, debits)' },
  },
  async run(ctx, { values }) {
    const ledger = new Ledger(ctx.manager().store);
    const balance = await ledger.balance(ctx.env);
    const entries = values.entries ? await ledger.entries() : undefined;
    if (ctx.json) {
      ctx.out(
        JSON.stringify({ ...balance, ...(entries ? { entries: entries.map((e) => e.entry) } : {}) }, null, 2),
      );
      return;
    }
    const parts = [describeBalance(balance)];
    if (entries)
      parts.push(
        '',
        table(
          entries.map(({ entry: e }) => ({
            at: e.at,
            kind: e.kind,
            amount: `$${e.amount_usd}`,
            sandbox: e.sandbox_id ?? e.grant_id,
            note: e.note,
          })),
          ['at', 'kind', 'amount', 'sandbox', 'note'],
        ),
      );
    ctx.out(parts.join('\n'));
  },
};

export const creditsAdd: Command = {
  name: 'credits add',
  summary: 'Add credits (a grant) to the ledger',
  usage: 'sandboxer credits add AMOUNT [--id GRANT_ID] [--note TEXT] [--json]',
  details: [
    'AMOUNT is in dollars (10, 2.50). With --id the grant is idempotent: repeating the command adds it once.',
    'The first grant switches credits from unlimited to checked: a create whose estimate the balance cannot',
    'cover is then refused.',
    'Examples:',
    '  sandboxer credits add 10',
    '  sandboxer credits add 25 --id invoice-2026-11 --note "November top-up"',
  ].join('\n'),
  positionals: ['amount'],
  options: {
    id: { type: 'string', description: 'grant id: repeating the command with it adds the grant once' },
    note: { type: 'string', description: 'a note kept with the grant' },
  },
  async run(ctx, { values, positionals }) {
    if (values.note !== undefined && String(values.note).length > 200)
      throw usageError('--note is longer than 200 characters');
    const ledger = new Ledger(ctx.manager().store);
    const { added, id } = await ledger.grant(positionals[0]!, {
      ...(values.id !== undefined ? { id: String(values.id) } : {}),
      ...(values.note !== undefined ? { note: String(values.note) } : {}),
    });
    const balance = await ledger.balance(ctx.env);
    if (ctx.json) ctx.out(JSON.stringify({ added, grant_id: id, balance }, null, 2));
    else
      ctx.out(
        `${added ? `granted (id ${id})` : `grant ${id} already exists: nothing added`}\n${describeBalance(balance)}`,
      );
  },
};

export const creditsCommands = [creditsShow, creditsAdd];
