import { catLabelFiles } from '../ssh/labels-files.ts';
import { args, sh } from '../ssh/quote.ts';
import type { Runtime } from './project.ts';

/**
 * Remote shell for ext.compose-ssh. Every value is quoted with sh`…`; the host layout per sandbox is
 *   <base>/<sandbox-id>/repo/   the workspace (compose project directory)
 *   <base>/<sandbox-id>/meta/   labels.json, compose files list, pids of the provision and of the expiry timer
 */
export interface Layout {
  base: string;
  dir: string;
  repo: string;
  meta: string;
  project: string;
}

export function layout(base: string, sandboxId: string, project: string): Layout {
  const dir = `${base.replace(/\/+$/, '')}/${sandboxId}`;
  return { base, dir, repo: `${dir}/repo`, meta: `${dir}/meta`, project };
}

const projectFilter = (project: string) => `label=com.docker.compose.project=${project}`;

/**
 * The teardown script: stops an in-flight provision (its whole process group), cancels the expiry timer (unless
 * it is the timer running this), removes every container, volume and network labelled with the project (the
 * sandbox is discarded, so containers are killed, not stopped gracefully), falls back to `compose down -v` for
 * anything left, removes the directory. Idempotent: every step tolerates "already gone". Sent on stdin to `sh -s`, and kept in meta/ for the
 * host-side expiry timer.
 */
export function teardownScript(
  l: Layout,
  rt: Runtime,
  composeFiles: string[],
  stopTimeout_s: number,
): string {
  const files = composeFiles.flatMap((f) => ['-f', f]);
  const engine = args(rt.engine);
  const filter = projectFilter(l.project);
  return [
    'set -u',
    sh`D=${l.dir}; M=${l.meta}; R=${l.repo}`,
    // A group is alive while it has a member that is not a zombie (orphans wait for PID 1 to reap them, and
    // kill -0 succeeds on zombies).
    `alive() { cat /proc/[0-9]*/stat 2>/dev/null | awk -v g="$1" '$5 == g && $3 != "Z" { f = 1 } END { exit !f }'; }`,
    'killgroup() { pg=$(cat "$1" 2>/dev/null) || return 0; case "$pg" in ""|*[!0-9]*) return 0;; esac',
    '  kill -TERM "-$pg" 2>/dev/null || return 0',
    '  i=0; while alive "$pg" && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done',
    '  kill -KILL "-$pg" 2>/dev/null; return 0; }',
    '[ "${1:-}" = expiry ] || killgroup "$M/expiry.pid"',
    'killgroup "$M/up.pid"',
    // Everything compose made carries the project label: remove it directly (one engine call per kind, much
    // faster than compose down, and it works when the compose files are gone or never arrived).
    'sweep() {',
    sh`  ids=$(${engine} ps -aq --filter ${filter} 2>/dev/null); [ -z "$ids" ] || ${engine} rm -f -v $ids >/dev/null 2>&1`,
    sh`  ids=$(${engine} volume ls -q --filter ${filter} 2>/dev/null); [ -z "$ids" ] || ${engine} volume rm -f $ids >/dev/null 2>&1`,
    sh`  ids=$(${engine} network ls -q --filter ${filter} 2>/dev/null); [ -z "$ids" ] || ${engine} network rm $ids >/dev/null 2>&1`,
    sh`  left=$(${engine} ps -aq --filter ${filter} 2>/dev/null); }`,
    'sweep',
    // Anything the sweep could not remove gets compose down -v, then a second sweep.
    composeFiles.length
      ? sh`if [ -n "$left" ] && [ -d "$R" ]; then (cd "$R" && ${args(rt.compose)} -p ${l.project} ${args(files)} down -v -t ${stopTimeout_s}) >/dev/null 2>&1; sweep; fi`
      : ':',
    'rm -rf -- "$D"',
    // Fail (so the manager keeps the record for a retry) only if containers of the project survived.
    '[ -z "$left" ] || { echo "containers still present: $left" >&2; exit 1; }',
    '',
  ].join('\n');
}

/** `compose up -d` in its own session (pid recorded) so teardown can stop it even after our channel is gone. */
export function upCommand(l: Layout, rt: Runtime, composeFiles: string[]): string {
  const files = composeFiles.flatMap((f) => ['-f', f]);
  const inner = sh`echo $$ > ${`${l.meta}/up.pid`} && cd ${l.repo} && exec ${args(rt.compose)} -p ${l.project} ${args(files)} up -d`;
  return sh`setsid sh -c ${inner} </dev/null; rc=$?; rm -f ${`${l.meta}/up.pid`}; exit $rc`;
}

/** Start (or restart) the host-side expiry timer: after `seconds`, the stored teardown script runs on its own. */
export function expiryCommand(l: Layout, seconds: number, expiresAt: string): string {
  const pidFile = `${l.meta}/expiry.pid`;
  const inner = sh`echo $$ > ${pidFile}; sleep ${Math.max(1, Math.ceil(seconds))}; exec sh ${`${l.meta}/teardown.sh`} expiry`;
  return [
    sh`pg=$(cat ${pidFile} 2>/dev/null); case "$pg" in ""|*[!0-9]*) ;; *) kill -TERM "-$pg" 2>/dev/null;; esac`,
    sh`printf '%s\\n' ${expiresAt} > ${`${l.meta}/expires_at`}`,
    sh`setsid sh -c ${inner} </dev/null >/dev/null 2>&1 &`,
    // Wait for the pid file so a teardown right after this cannot miss the timer.
    sh`i=0; while [ ! -s ${pidFile} ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done`,
  ].join('\n');
}

/** Write stdin to a file (mode 600) without its content ever touching the command line. */
export const writeFileCommand = (path: string) => sh`umask 077 && cat > ${path}`;

/** JSON of every container of a project (docker and podman both print an array from inspect). */
export const inspectProject = (rt: Runtime, project: string) =>
  sh`ids=$(${args(rt.engine)} ps -aq --filter ${projectFilter(project)}); if [ -n "$ids" ]; then ${args(rt.engine)} inspect $ids; else echo '[]'; fi`;

export const inspectManaged = (rt: Runtime) =>
  sh`ids=$(${args(rt.engine)} ps -aq --filter label=io.sandboxer.managed=true 2>/dev/null); if [ -n "$ids" ]; then ${args(rt.engine)} inspect $ids; else echo '[]'; fi`;

/** `<dir>\t<labels.json on one line>` for every sandbox directory under base. */
export const listDirs = (base: string) => catLabelFiles(base, 'sbx-*/meta/labels.json');
