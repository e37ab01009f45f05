import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SshTarget } from '../target.ts';

/**
 * Where the per-user SSH mux agents listen, and whether this process may use them. The CLI turns the agent on
 * for exec, cp, ports and url (inAccessSession) with `allowMux`; a library or `serve` caller keeps direct
 * connections. SANDBOXER_SSH_MUX=0 turns it off.
 */
let agentCommand: string[] | undefined;

/** This process may start and use mux agents; `command` starts one (argv after node, ending in the verb). */
export function allowMux(command: string[]): void {
  agentCommand = command;
}

export function muxAgentCommand(env: NodeJS.ProcessEnv): string[] | undefined {
  if (!agentCommand || env.SANDBOXER_SSH_MUX === '0' || process.platform === 'win32') return undefined;
  return agentCommand;
}

/** Unix socket paths are bounded (108 bytes on Linux, 104 on macOS). */
const MAX_SOCKET_PATH = 100;

/**
 * The agents' directory: SANDBOXER_SSH_MUX_DIR, else sandboxer-ssh-<uid> under XDG_RUNTIME_DIR or the temp dir.
 * Created 0700; anything else there (another owner, a symlink, group/other access) means no mux, so no other
 * user can reach an agent's socket or plant one.
 */
export function muxDir(env: NodeJS.ProcessEnv): { dir: string } | { problem: string } {
  const uid = process.getuid?.();
  if (uid === undefined) return { problem: 'no user id on this platform' };
  const dir = env.SANDBOXER_SSH_MUX_DIR || join(env.XDG_RUNTIME_DIR || tmpdir(), `sandboxer-ssh-${uid}`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    if (!st.isDirectory()) return { problem: `${dir} is not a directory` };
    if (st.uid !== uid) return { problem: `${dir} is owned by uid ${st.uid}, not ${uid}` };
    if ((st.mode & 0o077) !== 0)
      return { problem: `${dir} has mode ${(st.mode & 0o777).toString(8)}, not 700` };
    return { dir };
  } catch (err) {
    return { problem: `cannot use ${dir}: ${(err as Error).message}` };
  }
}

/**
 * One agent per login and host-key policy: user@host:port, the key (its hash, never the key), the agent socket
 * used instead of a key, and the pin or known_hosts file. A change to any of them is another agent.
 */
export function socketPath(
  dir: string,
  target: SshTarget,
  key: string | undefined,
  agentSock: string | undefined,
): string | undefined {
  const id = createHash('sha256')
    .update(
      JSON.stringify([
        target.user,
        target.host,
        target.port,
        key ? createHash('sha256').update(key).digest('hex') : '',
        agentSock ?? '',
        target.host_key_sha256 ?? '',
        target.known_hosts ?? '',
        target.insecure_accept_any_host_key,
      ]),
    )
    .digest('hex')
    .slice(0, 20);
  const p = join(dir, `${id}.sock`);
  return p.length <= MAX_SOCKET_PATH ? p : undefined;
}
