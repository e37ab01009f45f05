import type { ParseArgsConfig } from 'node:util';
import type { Logger } from '../core/logger.ts';
import type { SandboxManager } from '../manager/manager.ts';

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface CommandContext {
  /** Created on first use, so `--help` and usage errors never load the catalog or touch state. */
  manager(): SandboxManager;
  json: boolean;
  log: Logger;
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
  out(text: string): void;
}

export interface Command {
  /** One or two words: 'create', 'profiles list'. */
  name: string;
  summary: string;
  usage: string;
  /** Extra help text (examples, notes). */
  details?: string;
  options?: Options;
  /** Names of positional arguments, in order; a trailing '?' marks an optional one. */
  positionals?: string[];
  /** The verb only reads or tears down what exists: a broken catalog file is a warning, not a failure. */
  lenientCatalog?: boolean;
  run(
    ctx: CommandContext,
    args: { values: Record<string, unknown>; positionals: string[] },
  ): Promise<number | void>;
}
