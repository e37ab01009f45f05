import { RouteStrategy } from '../../catalog/schema.ts';
import { usageError } from '../../core/errors.ts';
import { SandboxState } from '../../core/record.ts';
import type { Command } from '../command.ts';
import { describeRecord, RECORD_COLUMNS, recordRow, table } from '../output.ts';
import { parseKeyValues } from '../parse-kv.ts';

/** `--route` into a strategy; anything else is a usage error listing the strategies. */
export function parseRoute(v: unknown): RouteStrategy | undefined {
  if (v === undefined) return undefined;
  const r = RouteStrategy.safeParse(v);
  if (!r.success)
    throw usageError(
      `--route '${String(v)}' is not a strategy`,
      `use one of: ${RouteStrategy.options.join(', ')}`,
    );
  return r.data;
}

export const create: Command = {
  name: 'create',
  summary: 'Create a sandbox from a profile and wait until it is ready',
  usage: 'sandboxer create [--profile ID] [--input k=v]... [--ttl DUR] [--route STRATEGY] [--json]',
  details: [
    'Without --profile the catalog default profile is used.',
    'Examples:',
    '  sandboxer create --profile profile.saas-stub --ttl 30m --json',
    '  sandboxer create --profile profile.compose-e2e --input repo=./my-repo',
  ].join('\n'),
  options: {
    profile: {
      type: 'string',
      short: 'p',
      description: 'the profile to create (default: the catalog default)',
    },
    input: { type: 'string', short: 'i', multiple: true, description: 'a profile input, NAME=value' },
    ttl: { type: 'string', description: 'time to live, e.g. 30m, 2h (capped by the profile ttl.max)' },
    route: {
      type: 'string',
      description: 'override the profile strategy: prefer-self-hosted, lowest-cost, lowest-latency, explicit',
    },
  },
  async run(ctx, { values }) {
    const route = parseRoute(values.route);
    const inputs = parseKeyValues((values.input as string[] | undefined) ?? []);
    const record = await ctx.manager().create({
      ...(values.profile ? { profileId: String(values.profile) } : {}),
      inputs,
      ...(values.ttl ? { ttl: String(values.ttl) } : {}),
      ...(route ? { route } : {}),
      signal: ctx.signal,
    });
    ctx.out(ctx.json ? JSON.stringify(record, null, 2) : describeRecord(record));
  },
};

export const get: Command = {
  name: 'get',
  lenientCatalog: true,
  summary: 'Show one sandbox record',
  usage: 'sandboxer get ID [--json]',
  positionals: ['id'],
  async run(ctx, { positionals }) {
    const record = await ctx.manager().get(positionals[0]!);
    ctx.out(ctx.json ? JSON.stringify(record, null, 2) : describeRecord(record));
  },
};

export const list: Command = {
  name: 'list',
  lenientCatalog: true,
  summary: 'List sandboxes in the state store',
  usage: 'sandboxer list [--state STATE[,STATE]]... [--profile ID] [--all] [--json]',
  details:
    'By default only live sandboxes (requested, provisioning, ready, destroying) are listed; --all shows every record.',
  options: {
    state: { type: 'string', multiple: true, description: 'only these states, comma-separated or repeated' },
    profile: { type: 'string', short: 'p', description: 'only sandboxes of this profile' },
    all: { type: 'boolean', short: 'a', description: 'every record, destroyed, failed and expired ones too' },
  },
  async run(ctx, { values }) {
    // Repeated or comma-separated (--state ready,failed), as the HTTP API's ?state= takes it.
    const states = (values.state as string[] | undefined)
      ?.flatMap((s) => s.split(','))
      .filter(Boolean)
      .map((s) => {
        const r = SandboxState.safeParse(s);
        if (!r.success)
          throw usageError(`--state '${s}' is not a state`, `use one of: ${SandboxState.options.join(', ')}`);
        return r.data;
      });
    const live: SandboxState[] = ['requested', 'provisioning', 'ready', 'destroying'];
    const records = await ctx.manager().list({
      ...(states ? { state: states } : values.all ? {} : { state: live }),
      ...(values.profile ? { profileId: String(values.profile) } : {}),
    });
    ctx.out(ctx.json ? JSON.stringify(records, null, 2) : table(records.map(recordRow), RECORD_COLUMNS));
  },
};

export const destroy: Command = {
  name: 'destroy',
  lenientCatalog: true,
  summary: 'Tear a sandbox down (idempotent: destroying a destroyed sandbox succeeds)',
  usage: 'sandboxer destroy ID [--json]',
  positionals: ['id'],
  async run(ctx, { positionals }) {
    const record = await ctx.manager().destroy(positionals[0]!, { signal: ctx.signal, reason: 'user' });
    ctx.out(ctx.json ? JSON.stringify(record, null, 2) : describeRecord(record));
  },
};

export const recreate: Command = {
  name: 'recreate',
  summary: 'Destroy a sandbox (if live) and create a new one with the same profile, inputs and TTL',
  usage: 'sandboxer recreate ID [--json]',
  positionals: ['id'],
  async run(ctx, { positionals }) {
    const record = await ctx.manager().recreate(positionals[0]!, { signal: ctx.signal });
    ctx.out(ctx.json ? JSON.stringify(record, null, 2) : describeRecord(record));
  },
};

export const sandboxCommands = [create, get, list, destroy, recreate];
