import { SandboxerError } from '../../core/errors.ts';

/** A connection URL with its password removed, for messages and `location`. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    u.searchParams.delete('password');
    return u.toString();
  } catch {
    return 'postgres://(unparseable url)';
  }
}

/** `host:port/database` of a connection URL: what names the database, whichever role connects. */
export function databaseAddress(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname.toLowerCase()}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return url;
  }
}

/** The error for a database that does not accept a connection, naming it (without its password). */
export const cannotConnect = (location: string, err: unknown): SandboxerError =>
  new SandboxerError(
    'state_store',
    `cannot connect to the state database ${location}: ${(err as Error).message}`,
    {
      hint: 'check SANDBOXER_STATE_URL (or --state-url) and that the server accepts connections',
    },
  );
