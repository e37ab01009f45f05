import * as core from '@actions/core';
import * as z from 'zod';
import { RouteStrategy } from '../catalog/schema.ts';
import { usageError } from '../core/errors.ts';
import { DECIMAL_RE } from '../core/money.ts';
import { parseKeyValues } from '../cli/parse-kv.ts';

export const TeardownPolicy = z.enum(['post', 'never', 'on-success']);
export type TeardownPolicy = z.infer<typeof TeardownPolicy>;
export const StateStoreKind = z.enum(['artifact', 'cache', 'none']);
export type StateStoreKind = z.infer<typeof StateStoreKind>;

function choice<T extends string>(name: string, schema: z.ZodEnum<{ [k in T]: k }>, fallback: T): T {
  const raw = core.getInput(name).trim();
  if (!raw) return fallback;
  const r = schema.safeParse(raw);
  if (!r.success)
    throw usageError(`input ${name}: '${raw}' is not allowed`, `use one of: ${schema.options.join(', ')}`);
  return r.data;
}

export function stateStoreInput(): StateStoreKind {
  return choice('state-store', StateStoreKind, 'artifact');
}

export interface SetupInputs {
  profile?: string;
  inputs: Record<string, string>;
  ttl?: string;
  route?: RouteStrategy;
  teardown: TeardownPolicy;
  stateStore: StateStoreKind;
  budget?: string;
  retentionDays?: number;
}

/** The setup action's inputs, validated; a bad one is a usage error that names the input and what to write. */
export function readSetupInputs(): SetupInputs {
  const profile = core.getInput('profile').trim();
  const ttl = core.getInput('ttl').trim();
  const budget = core.getInput('budget').trim();
  if (budget && !DECIMAL_RE.test(budget))
    throw usageError(`input budget: '${budget}' is not a USD amount`, 'write a decimal such as "2.50"');
  const retention = core.getInput('retention-days').trim();
  let retentionDays: number | undefined;
  if (retention) {
    retentionDays = Number(retention);
    if (!Number.isInteger(retentionDays) || retentionDays < 1 || retentionDays > 90)
      throw usageError(`input retention-days: '${retention}' is not a whole number of days from 1 to 90`);
  }
  const route = core.getInput('route').trim();
  const lines = core
    .getMultilineInput('inputs')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const inputs = parseKeyValues(lines, 'inputs', 'write one key=value per line');
  return {
    ...(profile ? { profile } : {}),
    inputs,
    ...(ttl ? { ttl } : {}),
    ...(route ? { route: choice('route', RouteStrategy, 'explicit') } : {}),
    teardown: choice('teardown', TeardownPolicy, 'post'),
    stateStore: stateStoreInput(),
    ...(budget ? { budget } : {}),
    ...(retentionDays ? { retentionDays } : {}),
  };
}
