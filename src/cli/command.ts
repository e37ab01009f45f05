import type { ParseArgsConfig } from 'node:util';
import type { Logger } from '../core/logger.ts';
import type { AccessSource } from '../manager/access-source.ts';
import type { SandboxManager } from '../manager/manager.ts';

type ParseArgsOption = NonNullable<ParseArgsConfig['options']>[string];
/** parseArgs options, each with the description `--help` prints. */
export type Options = Record<string, ParseArgsOption & { description?: string }>;

export interface CommandContext {
  /** Created on first use, so `--help` and usage errors never load the catalog or touch state. */
  manager(): SandboxManager;
  /** What sandbox access reads (records, the gateway), for `lean` verbs: openAccessSource, created on first use. */
  accessSource(): Promise<AccessSource>;
  json: boolean;
  log: Logger;
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
  out(text: string): void;
  /** Bytes to stdout / stderr as they are (exec and logs output). */
  stdoutRaw(data: Buffer): void;
  stderrRaw(data: Buffer): void;
  /** This process's stdin (exec --stdin). */
  stdin(): NodeJS.ReadableStream;
}

export interface Command {
  /** One or two words: 'create', 'profiles list'. */
  name: string;
  summary: string;
  usage: string;
  /** Extra help text (examples, notes). */
  details?: string;
  options?: Options;
  /** Names of positional arguments, in order; a trailing '?' marks an optional one, '...' the rest (after --). */
  positionals?: string[];
  /** The verb only reads or tears down what exists: a broken catalog file is a warning, not a failure. */
  lenientCatalog?: boolean;
  /**
   * The verb uses a live sandbox through ctx.accessSource() only (exec, cp, logs, ports, url): the manager's
   * wiring (router, hooks, every adapter) is never loaded, and ctx.manager() is not available.
   */
  lean?: boolean;
  run(
    ctx: CommandContext,
    args: { values: Record<string, unknown>; positionals: string[] },
  ): Promise<number | void>;
}
