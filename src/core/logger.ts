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

export function stderrLogger(opts: { verbose?: boolean; quiet?: boolean } = {}): Logger {
  const write = (level: string, msg: string) => process.stderr.write(`${level}${msg}\n`);
  return {
    debug: (m) => opts.verbose && write('debug: ', m),
    info: (m) => !opts.quiet && write('', m),
    warn: (m) => write('warning: ', m),
    error: (m) => write('error: ', m),
    group: async (title, fn) => {
      if (!opts.quiet) write('', `▸ ${title}`);
      return fn();
    },
  };
}
