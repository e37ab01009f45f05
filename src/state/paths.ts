import { homedir } from 'node:os';
import { join } from 'node:path';

/** Local state directory: SANDBOXER_STATE_DIR, else $XDG_DATA_HOME/sandboxer, else ~/.local/share/sandboxer. */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SANDBOXER_STATE_DIR) return env.SANDBOXER_STATE_DIR;
  const base = env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'sandboxer');
}

/** The embedded SQLite database, inside the state directory (beside a file store's directories, if any). */
export function sqliteFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(stateDir(env), 'state.db');
}
