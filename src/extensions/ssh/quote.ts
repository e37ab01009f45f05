import { randomBytes } from 'node:crypto';
/**
 * POSIX shell quoting for every argument of a remote command. `exec` strings go through the remote user's login
 * shell, so each argument is single-quoted (a `'` inside becomes `'\''`); nothing in a value is ever interpreted.
 */
export function shQuote(arg: string | number): string {
  const s = String(arg);
  if (s.includes('\0')) throw new Error('a shell argument cannot contain a NUL byte');
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** One command line from already-trusted shell syntax and quoted arguments: sh`rm -rf ${dir}`. */
export function sh(strings: TemplateStringsArray, ...args: (string | number | QuotedArgs)[]): string {
  let out = strings[0]!;
  args.forEach((a, i) => {
    out += (a instanceof QuotedArgs ? a.text : shQuote(a)) + strings[i + 1]!;
  });
  return out;
}

/** A list of arguments quoted one by one, for splicing into sh`…` (e.g. a compose command of several words). */
export class QuotedArgs {
  readonly text: string;
  constructor(args: readonly string[], raw?: string) {
    this.text = raw ?? args.map(shQuote).join(' ');
  }
}

/** Trusted shell syntax spliced as is (a variable such as "$C" that an earlier line set); never input. */
export const trusted = (text: string): QuotedArgs => new QuotedArgs([], text);

export const args = (list: readonly string[]): QuotedArgs => new QuotedArgs(list);

/** A command given as one string (e.g. SANDBOXER_COMPOSE_CMD="docker compose") split into words, never evaluated. */
export function splitWords(command: string): string[] {
  return command.trim().split(/\s+/).filter(Boolean);
}

/**
 * A script line block writing `content` to `path` through a quoted here-document (nothing in it is expanded).
 * The delimiter is random, so content cannot end the document early.
 */
export function heredocWrite(
  path: string,
  content: string,
  token = `SANDBOXER_EOF_${randomBytes(12).toString('hex')}`,
): string {
  if (content.includes(token)) throw new Error('here-document delimiter collision');
  const body = content.endsWith('\n') ? content : `${content}\n`;
  return `(umask 077 && cat > ${shQuote(path)}) <<'${token}' || exit 1\n${body}${token}`;
}

/** Run `command` in the background in its own session, detached from the caller's channel and output. */
export const detached = (command: string): string => `(setsid ${command} </dev/null >/dev/null 2>&1 &)`;
