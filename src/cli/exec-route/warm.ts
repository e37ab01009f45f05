import { DatabaseSync } from 'node:sqlite';
import { SANDBOX_ID_RE } from '../../core/ids.ts';
import { silentLogger } from '../../core/logger.ts';
import {
  collectOutput,
  execCommands,
  runKillable,
  type CommandRunner,
} from '../../extensions/ssh/exec-commands.ts';
import { MuxLink } from '../../extensions/ssh/mux/client.ts';
import { sqliteFile } from '../../state/paths.ts';
import { abortOnSignals, signalExitCode } from '../signals.ts';
import { readRoute, type ExecRoute } from './route.ts';

/**
 * The warm exec path: `sandboxer exec ID [--service S] -- CMD...` of a sandbox whose route was kept by an earlier
 * exec (route.ts) sends the command straight to the SSH mux agent, without loading the CLI, the catalog, the
 * store or the credential resolver: a round trip close to OpenSSH's own ControlMaster (#13). Any other form of
 * the command (--json, --cwd, --env, --timeout, --stdin, -v...), another state backend, SANDBOXER_SSH_MUX=0,
 * or a route that no longer holds is a miss, and the full CLI runs as before. Returns whether it ran the exec.
 */
export interface WarmRequest {
  id: string;
  service: string;
  argv: string[];
}

/** The command line forms the warm path takes; undefined for every other one. */
export function warmRequest(argv: string[]): WarmRequest | undefined {
  if (argv[0] !== 'exec' || !SANDBOX_ID_RE.test(argv[1] ?? '')) return undefined;
  const dash = argv.indexOf('--');
  if (dash < 0 || dash === argv.length - 1) return undefined;
  const opts = argv.slice(2, dash);
  let service = '';
  if (opts.length === 2 && (opts[0] === '--service' || opts[0] === '-s')) service = opts[1]!;
  else if (opts.length === 1 && opts[0]!.startsWith('--service='))
    service = opts[0]!.slice('--service='.length);
  else if (opts.length !== 0) return undefined;
  if (opts.length && !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(service)) return undefined;
  return { id: argv[1]!, service, argv: argv.slice(dash + 1) };
}

/** The record still is what the route was resolved from: same revision, ready. */
function recordHolds(route: ExecRoute): boolean {
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(route.db, { readOnly: true, timeout: 2000 });
    const row = db.prepare('SELECT state, revision FROM sandboxes WHERE id = ?').get(route.id) as
      { state: string; revision: number | bigint } | undefined;
    return row?.state === 'ready' && Number(row.revision) === route.revision;
  } catch {
    return false;
  } finally {
    db?.close();
  }
}

function storeFile(env: NodeJS.ProcessEnv): string | undefined {
  if (env.SANDBOXER_SSH_MUX === '0' || env.SANDBOXER_STATE_URL?.trim()) return undefined;
  const backend = env.SANDBOXER_STATE_BACKEND?.trim();
  return backend && backend !== 'sqlite' ? undefined : sqliteFile(env);
}

export async function warmExec(argv: string[], env: NodeJS.ProcessEnv): Promise<boolean> {
  const req = warmRequest(argv);
  const db = req && storeFile(env);
  const route = db && readRoute(env, process.cwd(), db, req.id, req.service);
  if (!req || !route || !recordHolds(route)) return false;
  const link = await MuxLink.attach(
    { extId: route.ext_id, target: route.target, env, log: silentLogger },
    route.socket,
  );
  if (!link) return false;

  // From here on the command is sent: the outcome is the command's, and signals act as on the full path.
  const controller = abortOnSignals();
  const runner: CommandRunner = {
    stream: (command, o) => link.stream(command, { ...o, signal: o.signal ?? controller.signal }),
    exec: (command, o = {}) => collectOutput(runner.stream, command, o),
  };
  let code: number;
  try {
    const r = await runKillable(
      runner,
      controller,
      execCommands({ argv: req.argv }, route.place),
      {},
      { stdout: (d) => process.stdout.write(d), stderr: (d) => process.stderr.write(d) },
    );
    code = r.exit_code;
  } catch (err) {
    if (controller.signal.aborted) code = signalExitCode(controller.signal) ?? 130;
    else {
      const e = err as Error & { hint?: string };
      process.stderr.write(`error: ${e.message}${e.hint ? `\nhint: ${e.hint}` : ''}\n`);
      code = 1;
    }
  } finally {
    link.close();
  }
  process.exitCode = code;
  process.stdout.write('', () => process.exit(code));
  return true;
}
