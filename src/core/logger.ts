/** Minimal structured logger; the CLI writes to stderr, the actions route through @actions/core. */
export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  /** Group a multi-step operation (core.group in Actions). */
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  group: (_t, fn) => fn(),
};

/**
 * The CLI's logger (stderr). `actions`: running as a GitHub Actions step (GITHUB_ACTIONS=true), where a group
 * is a `::group::`/`::endgroup::` pair the job log folds; elsewhere those markers would be noise, so a group is
 * a plain `▸ title` line. Nothing here colours output (NO_COLOR needs no handling).
 */
export function stderrLogger(
  opts: { verbose?: boolean; quiet?: boolean; actions?: boolean; write?: (line: string) => void } = {},
): Logger {
  const out = opts.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const write = (level: string, msg: string) => out(`${level}${msg}`);
  return {
    debug: (m) => opts.verbose && write('debug: ', m),
    info: (m) => !opts.quiet && write('', m),
    warn: (m) => write('warning: ', m),
    error: (m) => write('error: ', m),
    group: async (title, fn) => {
      if (opts.quiet) return fn();
      if (!opts.actions) {
        write('', `▸ ${title}`);
        return fn();
      }
      write('::group::', title);
      try {
        return await fn();
      } finally {
        write('', '::endgroup::');
      }
    },
  };
}
