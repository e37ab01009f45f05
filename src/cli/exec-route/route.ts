import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MuxExecRoute } from '../../extensions/ssh/place.ts';
import { muxDir } from '../../extensions/ssh/mux/paths.ts';

/**
 * The warm exec route: what one `sandboxer exec ID [--service S]` resolved (record, catalog, credentials, the
 * SSH mux agent, where the command runs), kept beside the agents' sockets so the next exec of the same sandbox
 * can skip the resolving and only send the command (warm.ts). It holds no secret: the agent holds the
 * connection. A route is used only while everything it was resolved from is unchanged:
 * - the record: same revision in the same SQLite database, still `ready`, not past expires_at;
 * - the environment and working directory (a digest, salted per route);
 * - the catalog files (names, sizes, modification times), the known_hosts file and this module's own file
 *   (a rebuilt or upgraded sandboxer is another route).
 * Anything else, or any doubt, means the full path, which writes a new route.
 */
export const ROUTE_VERSION = 1;

export interface ExecRoute extends MuxExecRoute {
  v: number;
  id: string;
  /** The compose service, '' for the workspace. */
  service: string;
  ext_id: string;
  db: string;
  revision: number;
  expires_at?: string;
  roots: string[];
  salt: string;
  env: string;
  inputs: string;
}

/** Shell bookkeeping that changes between two commands of one session and cannot change what exec resolves. */
const VOLATILE_ENV = new Set(['_', 'OLDPWD', 'PWD', 'SHLVL']);

export function envDigest(env: NodeJS.ProcessEnv, cwd: string, salt: string): string {
  const h = createHash('sha256').update(salt).update('\0').update(cwd);
  for (const k of Object.keys(env).sort()) {
    if (VOLATILE_ENV.has(k) || env[k] === undefined) continue;
    h.update('\0').update(k).update('=').update(env[k]!);
  }
  return h.digest('hex');
}

const stamp = (path: string): string => {
  try {
    const st = statSync(path);
    return `${st.size}:${st.mtimeMs}:${st.ino}`;
  } catch {
    return '-';
  }
};

const OWN_FILE = fileURLToPath(import.meta.url);

/** What the route depends on besides the record and the environment, as one digest. */
export function inputsDigest(roots: string[], knownHosts: string | undefined): string {
  const h = createHash('sha256').update(OWN_FILE).update(stamp(OWN_FILE));
  for (const root of roots) {
    for (const kind of ['extensions', 'profiles']) {
      const dir = join(root, kind);
      let names: string[];
      try {
        names = readdirSync(dir).sort();
      } catch {
        names = [];
      }
      h.update(`\0${dir}`);
      for (const n of names) h.update(`\0${n}\0${stamp(join(dir, n))}`);
    }
  }
  h.update(`\0${knownHosts ?? ''}\0${knownHosts ? stamp(knownHosts) : ''}`);
  return h.digest('hex');
}

/** The route file of one sandbox and service in one database, in the agents' 0700 directory. */
export function routeFile(
  env: NodeJS.ProcessEnv,
  db: string,
  id: string,
  service: string,
): string | undefined {
  const d = muxDir(env);
  if ('problem' in d) return undefined;
  const key = createHash('sha256').update(`${db}\0${id}\0${service}`).digest('hex').slice(0, 24);
  return join(d.dir, `exec-${key}.json`);
}

/** What the full path resolved; writeRoute adds the version and the digests of what it came from. */
export type RouteFacts = Omit<ExecRoute, 'v' | 'salt' | 'env' | 'inputs'>;

/** Keep a route (written whole, then moved into place, readable by this user only). */
export function writeRoute(env: NodeJS.ProcessEnv, cwd: string, f: RouteFacts): void {
  const file = routeFile(env, f.db, f.id, f.service);
  if (!file) return;
  const salt = randomBytes(16).toString('hex');
  const route: ExecRoute = {
    v: ROUTE_VERSION,
    ...f,
    salt,
    env: envDigest(env, cwd, salt),
    inputs: inputsDigest(f.roots, f.target.known_hosts),
  };
  const temp = `${file}.${process.pid}`;
  writeFileSync(temp, `${JSON.stringify(route)}\n`, { mode: 0o600 });
  renameSync(temp, file);
}

/** The route for this exec when one was kept and nothing it came from has changed (the record is checked apart). */
export function readRoute(
  env: NodeJS.ProcessEnv,
  cwd: string,
  db: string,
  id: string,
  service: string,
): ExecRoute | undefined {
  const file = routeFile(env, db, id, service);
  if (!file) return undefined;
  let r: ExecRoute;
  try {
    r = JSON.parse(readFileSync(file, 'utf8')) as ExecRoute;
  } catch {
    return undefined;
  }
  if (r?.v !== ROUTE_VERSION || r.id !== id || r.service !== service || r.db !== db) return undefined;
  if (typeof r.socket !== 'string' || typeof r.revision !== 'number' || !Array.isArray(r.roots))
    return undefined;
  if (r.expires_at && !(Date.parse(r.expires_at) > Date.now())) return undefined;
  if (r.env !== envDigest(env, cwd, String(r.salt))) return undefined;
  if (r.inputs !== inputsDigest(r.roots, r.target?.known_hosts)) return undefined;
  return r;
}
