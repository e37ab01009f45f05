import { parseArgs } from 'node:util';
import { SandboxerError, shown, toSandboxerError, usageError } from '../core/errors.ts';
import { stderrLogger } from '../core/logger.ts';
import { didYouMean, suggest } from '../core/suggest.ts';
import { packageVersion } from '../core/version.ts';
import { createCredentialResolver } from '../credentials/index.ts';
import { addMaskCommand } from '../credentials/mask.ts';
import type { AccessSource } from '../manager/access-source.ts';
import type { SandboxManager } from '../manager/manager.ts';
import type { ManagerOptions } from '../manager/wiring.ts';
import type { Command, CommandContext, Options } from './command.ts';

const GLOBAL_OPTIONS: Options = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  verbose: { type: 'boolean', short: 'v' },
  quiet: { type: 'boolean', short: 'q' },
  'state-url': { type: 'string' },
};

function topHelp(commands: Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'sandboxer — establish sandboxes: profiles, routing, lifecycle, metering, reaping',
    '',
    'Usage: sandboxer <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Global options:',
    '  --json         machine-readable output on stdout (errors too, as {"error": {...}})',
    '  -h, --help     help for sandboxer or for a command',
    '  -v, --verbose  debug logging on stderr',
    '  -q, --quiet    no progress logging',
    '  --version      print the version',
    '  --state-url URL  state on PostgreSQL (postgres://…), as SANDBOXER_STATE_URL',
    '',
    'Environment: SANDBOXER_STATE_DIR (state, default ~/.local/share/sandboxer; SQLite state.db in it),',
    'SANDBOXER_STATE_URL (PostgreSQL), SANDBOXER_STATE_BACKEND (sqlite, file, postgres, memory), SANDBOXER_CATALOG_PATH',
    '(extra catalog roots holding profiles/ and extensions/), SANDBOXER_DEFAULT_PROFILE (profile used when',
    'create gets no --profile; default: the catalog default, profile.sandbox-canary), SANDBOXER_SSH_MUX=0 (exec,',
    'cp, ports and url connect directly instead of through the per-user SSH mux agent; SANDBOXER_SSH_MUX_IDLE seconds).',
    'Exit codes: 0 ok, 1 runtime failure, 2 usage or validation error.',
    "Run 'sandboxer <command> --help' for a command's options.",
  ].join('\n');
}

function commandHelp(c: Command): string {
  const flags = Object.entries(c.options ?? {}).map(([name, o]) => ({
    flag: `  ${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ' VALUE' : ''}`,
    text: `${o.description ?? ''}${o.multiple ? ' (repeatable)' : ''}`.trim(),
  }));
  const width = Math.max(0, ...flags.map((f) => f.flag.length));
  const opts = flags.map((f) => (f.text ? `${f.flag.padEnd(width)}  ${f.text}` : f.flag));
  return [
    `${c.summary}`,
    '',
    `Usage: ${c.usage}`,
    ...(opts.length ? ['', 'Options:', ...opts] : []),
    ...(c.details ? ['', c.details] : []),
  ].join('\n');
}

/** `sandboxer profiles --help`: the subcommands of a command group (`profiles list`, ...). */
function groupHelp(group: string, commands: Command[]): string | undefined {
  const members = commands.filter((c) => c.name.startsWith(`${group} `));
  if (members.length === 0) return undefined;
  const width = Math.max(...members.map((c) => c.name.length));
  return [
    `Usage: sandboxer ${group} <subcommand> [options]`,
    '',
    'Subcommands:',
    ...members.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    `Run 'sandboxer ${group} <subcommand> --help' for a subcommand's options.`,
  ].join('\n');
}

function findCommand(commands: Command[], words: string[]): { command: Command; rest: string[] } | undefined {
  for (const n of [2, 1]) {
    const name = words.slice(0, n).join(' ');
    const command = commands.find((c) => c.name === name);
    if (command) return { command, rest: words.slice(n) };
  }
  return undefined;
}

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** Raw bytes (exec/logs output); default: through stdout/stderr a line at a time. */
  stdoutRaw?: (d: Buffer) => void;
  stderrRaw?: (d: Buffer) => void;
  stdin?: () => NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
}

/** An option given as '' (e.g. `--profile ''`) is a mistake, never "use the default". */
function refuseEmptyOptions(values: Record<string, unknown>): void {
  for (const [name, v] of Object.entries(values)) {
    for (const one of Array.isArray(v) ? v : [v]) {
      if (typeof one === 'string' && one.trim() === '') {
        throw usageError(`--${name} is empty`, `give --${name} a value, or leave the option out`);
      }
    }
  }
}

/**
 * A message as the terminal or job log shows it: control characters (ANSI escapes, CR) escaped, and no line may
 * start a workflow command (`::warning::`, `::add-mask::`): the lines of a multi-line message (a catalog's
 * issues) stay lines, with a leading `::` defused.
 */
const oneLine = (text: string): string =>
  text
    .split('\n')
    .map((l) =>
      shown(l, 2000)
        .slice(1, -1)
        .replace(/^(\s*):(?=:)/, '$1\\:'),
    )
    .join('\n');

/**
 * The verbs argv can name: exec, cp, logs, ports and url load only their own module (a CLI start that uses a
 * sandbox parses and evaluates a fraction of the bundle, #13); anything else loads every verb.
 */
async function commandsFor(argv: string[]): Promise<Command[]> {
  const { accessCommands } = await import('./commands/access.ts');
  if (accessCommands.some((c) => c.name === argv[0])) return accessCommands;
  return (await import('./commands/index.ts')).commands;
}

/** Run the CLI; returns the exit code. Never throws. */
export async function runCli(argv: string[], io: CliIo, given?: Command[]): Promise<number> {
  const json = argv.includes('--json');
  const fail = (err: unknown): number => {
    const e = toSandboxerError(err);
    if (json) io.stdout(JSON.stringify({ error: e.toJSON() }, null, 2));
    io.stderr(`error: ${oneLine(e.message)}${e.hint ? `\nhint: ${oneLine(e.hint)}` : ''}`);
    if (e.code === 'internal' && io.env.SANDBOXER_DEBUG) io.stderr(String((err as Error)?.stack ?? ''));
    return e.exitCode;
  };
  try {
    if (argv[0] === '--version') {
      io.stdout(packageVersion());
      return 0;
    }
    const commands = given ?? (await commandsFor(argv));
    if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
      const sub = argv[0] === 'help' ? findCommand(commands, argv.slice(1)) : undefined;
      const group = argv[0] === 'help' && argv[1] ? groupHelp(argv[1], commands) : undefined;
      io.stdout(sub ? commandHelp(sub.command) : (group ?? topHelp(commands)));
      return 0;
    }
    const words = argv.filter((a) => !a.startsWith('-')).slice(0, 2);
    const found = findCommand(commands, words);
    if (!found) {
      const group = words.length === 1 ? groupHelp(words[0]!, commands) : undefined;
      if (group && (argv.includes('--help') || argv.includes('-h'))) {
        io.stdout(group);
        return 0;
      }
      const groups = commands.filter((c) => c.name.startsWith(`${words[0]} `));
      if (groups.length) {
        const sub =
          words.length === 2
            ? didYouMean(
                suggest(
                  words.join(' '),
                  groups.map((c) => c.name),
                ),
              )
            : undefined;
        throw usageError(
          words.length === 2
            ? `unknown command ${shown(words.join(' '))}`
            : `${shown(words[0])} needs a subcommand`,
          `${sub ? `${sub} ` : ''}one of: ${groups.map((c) => c.name).join(', ')}`,
        );
      }
      const typed = words[0] ?? argv[0] ?? '';
      const verbs = [...new Set(commands.map((c) => c.name.split(' ')[0]!))];
      const guess = didYouMean(suggest(typed, verbs));
      throw usageError(
        `unknown command ${shown(typed)}`,
        `${guess ? `${guess} ` : ''}run 'sandboxer --help' for the list of commands`,
      );
    }
    const { command } = found;
    // Remove the command words (first occurrences) from argv, keep everything else for parseArgs.
    const rest = [...argv];
    for (const w of command.name.split(' ')) rest.splice(rest.indexOf(w), 1);
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs({
        args: rest,
        options: Object.fromEntries(
          Object.entries({ ...GLOBAL_OPTIONS, ...(command.options ?? {}) }).map(
            ([k, { description: _d, ...o }]) => [k, o],
          ),
        ),
        allowPositionals: true,
        strict: true,
      });
    } catch (err) {
      throw usageError(
        `${command.name}: ${(err as Error).message.replace(/\. To specify.*$/s, '')}`,
        `usage: ${command.usage}`,
      );
    }
    const values = parsed.values as Record<string, unknown>;
    refuseEmptyOptions(values);
    if (values.help) {
      io.stdout(commandHelp(command));
      return 0;
    }
    const want = command.positionals ?? [];
    const required = want.filter((p) => !p.endsWith('?')).length;
    if (parsed.positionals.length < required)
      throw usageError(
        `${command.name}: missing ${want[parsed.positionals.length]!.replace('?', '').toUpperCase()}`,
        `usage: ${command.usage}`,
      );
    if (parsed.positionals.length > want.length && !want.at(-1)?.endsWith('...'))
      throw usageError(
        `${command.name}: unexpected argument '${parsed.positionals[want.length]}'`,
        `usage: ${command.usage}`,
      );

    const log = stderrLogger({
      verbose: Boolean(values.verbose),
      quiet: Boolean(values.quiet),
      actions: io.env.GITHUB_ACTIONS === 'true',
      write: io.stderr,
    });
    const env =
      typeof values['state-url'] === 'string'
        ? { ...io.env, SANDBOXER_STATE_URL: values['state-url'] }
        : io.env;
    const wiring = (): ManagerOptions => ({
      env,
      log,
      lenientCatalog: command.lenientCatalog ?? false,
      credentials: createCredentialResolver(env, (line) => io.stderr(addMaskCommand(line))),
    });
    // A lean verb never loads the manager's wiring; any other has it ready for the synchronous ctx.manager().
    const factory = command.lean ? undefined : await import('../manager/factory.ts');
    let manager: SandboxManager | undefined;
    let source: Promise<AccessSource> | undefined;
    const ctx: CommandContext = {
      manager: () => {
        if (!factory)
          throw new SandboxerError('internal', `${command.name} uses ctx.accessSource(), not the manager`);
        return (manager ??= factory.createManager(wiring()));
      },
      accessSource: () =>
        (source ??= import('../manager/access-source.ts').then((m) => m.openAccessSource(wiring()))),
      json,
      log,
      signal: io.signal,
      env,
      out: io.stdout,
      stdoutRaw: io.stdoutRaw ?? ((d) => io.stdout(d.toString('utf8').replace(/\n$/, ''))),
      stderrRaw: io.stderrRaw ?? ((d) => io.stderr(d.toString('utf8').replace(/\n$/, ''))),
      stdin: io.stdin ?? (() => process.stdin),
    };
    const code = await command.run(ctx, { values, positionals: parsed.positionals });
    return typeof code === 'number' ? code : 0;
  } catch (err) {
    return fail(err instanceof SandboxerError ? err : err);
  }
}
