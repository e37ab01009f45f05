import { catLabelFiles } from '../ssh/labels-files.ts';
import { args, detached, sh, trusted } from '../ssh/quote.ts';
import { receiveSealedTar } from '../ssh/sealed-tar.ts';
import { composeFileArgs, type Runtime } from './project.ts';
import type { ContainerInfo } from './container-info.ts';

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
 * anything left, removes the directory. Idempotent: every step tolerates "already gone". Sent on stdin to
 * `sh -s`, and kept in meta/ for the host-side expiry timer.
 */
export function teardownScript(
  l: Layout,
  rt: Runtime,
  composeFiles: string[],
  stopTimeout_s: number,
): string {
  const files = composeFileArgs(composeFiles);
  const engine = args(rt.engine);
  const filter = projectFilter(l.project);
  const podman = /(^|\/)podman$/.test(rt.engine[0]!);
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
    // The directory leaves its place first. A provision whose `compose up` has not begun then has no meta/ to
    // write its pid into, and stops there (no container made after the sweep below); one that began wrote its
    // pid into meta/, which moved along. Removing the files (thousands, for a big repo) goes on in the background.
    sh`G=''; if [ -d "$D" ]; then G=${`${l.base}/.gone-${l.project}`}.$$; if mv "$D" "$G"; then M="$G/meta"; R="$G/repo"; else G=''; fi; fi`,
    '[ "${1:-}" = expiry ] || killgroup "$M/expiry.pid"',
    'killgroup "$M/up.pid"',
    // Everything compose made carries the project label: remove it directly (one engine call per kind, much
    // faster than compose down, and it works when the compose files are gone or never arrived).
    'sweep() {',
    // `docker rm -f` kills; `podman rm -f` stops with SIGTERM and waits the stop timeout (10 s) for the many
    // images whose PID 1 ignores it, unless given -t 0 (podman ≥ 4; older ones get kill, then rm).
    sh`  ids=$(${engine} ps -aq --filter ${filter} 2>/dev/null); [ -z "$ids" ] || ` +
      (podman
        ? sh`${engine} rm -f -t 0 -v $ids >/dev/null 2>&1 || { ${engine} kill $ids >/dev/null 2>&1; ${engine} rm -f -v $ids >/dev/null 2>&1; }`
        : sh`${engine} rm -f -v $ids >/dev/null 2>&1`),
    sh`  ids=$(${engine} volume ls -q --filter ${filter} 2>/dev/null); [ -z "$ids" ] || ${engine} volume rm -f $ids >/dev/null 2>&1`,
    sh`  ids=$(${engine} network ls -q --filter ${filter} 2>/dev/null); [ -z "$ids" ] || ${engine} network rm $ids >/dev/null 2>&1`,
    sh`  left=$(${engine} ps -aq --filter ${filter} 2>/dev/null); }`,
    'sweep',
    // Anything the sweep could not remove gets compose down -v, then a second sweep.
    composeFiles.length
      ? sh`if [ -n "$left" ] && [ -d "$R" ]; then (cd "$R" && ${args(rt.compose)} -p ${l.project} ${args(files)} down -v -t ${stopTimeout_s}) >/dev/null 2>&1; sweep; fi`
      : ':',
    `if [ -n "$G" ]; then ${detached('rm -rf -- "$G"')}; elif [ -d "$D" ]; then rm -rf -- "$D"; fi`,
    // Fail (so the manager keeps the record for a retry) only if containers of the project survived.
    '[ -z "$left" ] || { echo "containers still present: $left" >&2; exit 1; }',
    '',
  ].join('\n');
}

/** Markers in the output of statusCommand. */
const LOG_MARK = '--sandboxer-up-log--';
const SERVICE_LOG_MARK = '--sandboxer-service-log--';
const SERVICE_LOG_LINES = 10;

/**
 * `compose up -d` in the background, in its own session (pid in meta/up.pid, so teardown can stop it from any
 * connection), its output in meta/up.log and its exit code in meta/up.rc once it ends. Then wait on the host,
 * without a round trip per check, until every service has a running container or compose ended (bounded by
 * `wait_s`), and print the project's status. Compose tools may linger after the last container started
 * (podman-compose 1.0 sleeps a second after each `podman run`): readiness is what the containers say.
 */
export function upAndWait(
  l: Layout,
  rt: Runtime,
  composeFiles: string[],
  services: number,
  wait_s: number,
): string {
  const files = composeFileArgs(composeFiles);
  const inner = sh`echo $$ > ${`${l.meta}/up.pid`} && cd ${l.repo} && exec ${args(rt.compose)} -p ${l.project} ${args(files)} up -d`;
  const rc = `${l.meta}/up.rc`;
  return [
    sh`rm -f ${rc} ${`${l.meta}/up.log`}`,
    sh`(setsid sh -c ${inner} </dev/null >${`${l.meta}/up.log`} 2>&1; echo $? >${`${rc}.tmp`} && mv ${`${rc}.tmp`} ${rc}; rm -f ${`${l.meta}/up.pid`}) </dev/null >/dev/null 2>&1 &`,
    sh`i=0; while [ ! -f ${rc} ] && [ $i -lt ${Math.ceil(wait_s * 10)} ]; do`,
    // The end of `compose up` is seen within 0.1 s; the engine (a process of its own each time) is asked every 0.3 s.
    sh`  [ $((i % 3)) = 2 ] && [ "$(${args(rt.engine)} ps -q --filter ${projectFilter(l.project)} --filter status=running 2>/dev/null | wc -l)" -ge ${services} ] && break`,
    '  sleep 0.1; i=$((i+1)); done',
    statusCommand(l, rt),
  ].join('\n');
}

/** Whether `compose up` is still running, ended (exit code), or gone without one; the containers; its log tail. */
export function statusCommand(l: Layout, rt: Runtime): string {
  const rc = `${l.meta}/up.rc`;
  const pid = `${l.meta}/up.pid`;
  return [
    sh`if [ -f ${rc} ]; then echo "up $(cat ${rc})"; elif [ -f ${pid} ] && kill -0 "$(cat ${pid})" 2>/dev/null; then echo 'up running'; else echo 'up gone'; fi`,
    inspectProject(rt, l.project),
    sh`if [ ! -f ${pid} ] && [ -f ${`${l.meta}/up.log`} ]; then echo ${LOG_MARK}; tail -n 20 ${`${l.meta}/up.log`}; fi`,
    // The last words of every container that stopped, for the error that says it did.
    sh`for c in $(${args(rt.engine)} ps -aq --filter ${projectFilter(l.project)} --filter status=exited 2>/dev/null); do echo ${`${SERVICE_LOG_MARK} `}"$c"; ${args(rt.engine)} logs --tail ${SERVICE_LOG_LINES} "$c" 2>&1 | cut -c1-300; done`,
  ].join('\n');
}

export interface UpStatus {
  /** `compose up`: still running, its exit code, or gone (killed, or never started by this adapter version). */
  up: 'running' | 'gone' | number;
  containers: ContainerInfo[];
  /** The end of compose's output once it has ended. */
  log: string;
  /** The last log lines of each stopped container, by container id. */
  logs?: Record<string, string>;
}

export function parseStatus(out: string): UpStatus {
  const nl = out.indexOf('\n');
  const first = out.slice(0, nl).trim();
  const [rest = '', ...serviceLogs] = out.slice(nl + 1).split(`${SERVICE_LOG_MARK} `);
  const [json = '[]', log = ''] = rest.split(`\n${LOG_MARK}\n`);
  const state = first.replace(/^up /, '');
  const logs: Record<string, string> = {};
  for (const chunk of serviceLogs) {
    const i = chunk.indexOf('\n');
    logs[chunk.slice(0, i === -1 ? undefined : i).trim()] = i === -1 ? '' : chunk.slice(i + 1).trim();
  }
  return {
    up: state === 'running' || state === 'gone' ? state : Number(state),
    containers: JSON.parse(json) as ContainerInfo[],
    log: log.trim(),
    logs,
  };
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

/**
 * JSON of the containers a filter selects (docker and podman both print an array from inspect). Another
 * sandbox's teardown can remove a listed container before inspect reads it ("no such object"), so a failed
 * inspect lists again, up to three times; the last failure's own message is what the caller sees.
 */
const inspectListed = (rt: Runtime, filter: string) => {
  const list = sh`${args(rt.engine)} ps -aq --filter ${filter} 2>/dev/null`;
  const inspect = sh`${args(rt.engine)} inspect $ids`;
  return `ok=0; for try in 1 2 3; do ids=$(${list}); if [ -z "$ids" ]; then out='[]'; ok=1; break; fi; if out=$(${inspect} 2>/dev/null); then ok=1; break; fi; done; if [ $ok = 1 ]; then printf '%s\\n' "$out"; else ${inspect}; fi`;
};

/** JSON of every container of a project. */
export const inspectProject = (rt: Runtime, project: string) => inspectListed(rt, projectFilter(project));

/** JSON of every container sand-boxer manages on the host. */
export const inspectManaged = (rt: Runtime) => inspectListed(rt, 'label=io.sandboxer.managed=true');

/** `<dir>\t<labels.json on one line>` for every sandbox directory under base. */
export const listDirs = (base: string) => catLabelFiles(base, 'sbx-*/meta/labels.json');

/**
 * The host's repo cache, <base>/.cache: `repo-<fp>.tar`, the last few transferred repos, and `tree-<fp>.<n>/`,
 * at most one pristine extracted copy of each, never used by a sandbox. An unchanged repo then becomes a
 * sandbox's workspace by a rename instead of creating every file again (a repo of thousands of files takes
 * seconds to extract); a new pristine copy is extracted in the background once the sandbox is up.
 */
export function repoCache(base: string, fingerprint: string) {
  const dir = `${base}/.cache`;
  const tar = `${dir}/repo-${fingerprint}.tar`;
  const trees = `${dir}/tree-${fingerprint}.`;
  const building = `${dir}/.tree-${fingerprint}.`;
  return {
    tar,
    /** Fill `repo` from the cache (a pristine tree, else the tar); prints CACHE_MISS and exits 0 without one. */
    take: (repo: string, miss: string) =>
      [
        sh`got=; for t in ${trees}*; do [ -d "$t" ] || continue`,
        sh`  if mv "$t" ${`${repo}.take`} 2>/dev/null; then rmdir ${repo} && chmod 700 ${`${repo}.take`} && mv ${`${repo}.take`} ${repo} && got=1; break; fi; done`,
        sh`if [ -n "$got" ] || { test -f ${tar} && tar -xf ${tar} -C ${repo}; }; then touch ${tar}; else echo ${miss}; exit 0; fi`,
      ].join('\n'),
    /** Extract stdin (a sealed tar, see sealTar) into `repo` while saving it in the cache; keep the newest `keep`. */
    fill: (repo: string, keep: number) =>
      [
        sh`(umask 077 && mkdir -p ${dir}) && chmod 700 ${dir} && rm -rf -- ${repo} && mkdir -m 700 -p ${repo} || exit 1`,
        // Only a whole, verified transfer enters the cache (a cut one is removed and fails the create).
        sh`tmp=${tar}.$$`,
        receiveSealedTar(trusted('"$tmp"'), repo),
        // Read-only, in a directory only its owner enters: what a later create deploys is what was sent.
        sh`chmod 0400 "$tmp" && mv "$tmp" ${tar}; ls -t ${dir}/repo-*.tar | tail -n +${keep + 1} | xargs -r rm -f --`,
        // Pristine trees of evicted repos go too (in the background: removing thousands of files takes a while).
        sh`for t in ${dir}/tree-*.*; do [ -d "$t" ] || continue; f=\${t##*/tree-}; [ -f ${dir}/repo-"\${f%.*}".tar ] && continue`,
        sh`  g=${dir}/.gone-"\${t##*/}"; mv "$t" "$g" && ` + `${detached('rm -rf -- "$g"')}; done`,
      ].join('\n'),
    /** Start building a pristine tree in the background unless one exists or is being built. */
    replenish: () =>
      [
        sh`have=; for t in ${trees}* ${building}*; do [ -e "$t" ] && have=1; done`,
        sh`if [ -f ${tar} ] && [ -z "$have" ]; then`,
        '  ' +
          detached(
            sh`sh -c ${sh`w=${building}$$; mkdir "$w" && tar -xf ${tar} -C "$w" && mv "$w" ${trees}$$ || rm -rf -- "$w"`}`,
          ),
        'fi',
      ].join('\n'),
  };
}
