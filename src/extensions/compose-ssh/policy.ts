import { existsSync, realpathSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { SandboxerError, shown, usageError } from '../../core/errors.ts';
import { insideDir } from '../../core/inside-dir.ts';
import type { Logger } from '../../core/logger.ts';

/**
 * The compose policy of ext.compose-ssh, checked on the compose file before anything reaches the host (and again
 * before `compose up`): a sandbox stays inside its own workspace and its own containers. Each relaxation is an
 * operator decision named in the profile's `config.allow` and logged loudly when used.
 */
export const ALLOWANCES = [
  'privileged',
  'host_network',
  'host_pid',
  'host_ipc',
  'host_userns',
  'host_uts',
  'host_cgroup',
  'cap_add',
  'devices',
  'security_opt',
  'bind_mounts_outside',
] as const;
export type Allowance = (typeof ALLOWANCES)[number];

export interface Violation {
  service: string;
  field: string;
  why: string;
  allowance: Allowance;
}

/** The allowances a profile grants (`config.allow`); an unknown name is a usage error, not ignored. */
export function allowancesOf(config: Record<string, unknown>): Set<Allowance> {
  const raw = config.allow ?? [];
  const list = Array.isArray(raw) ? raw : [raw];
  for (const a of list) {
    if (typeof a !== 'string' || !(ALLOWANCES as readonly string[]).includes(a)) {
      throw usageError(`config.allow: unknown allowance ${shown(a)}`, `known: ${ALLOWANCES.join(', ')}`);
    }
  }
  return new Set(list as Allowance[]);
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * Whether a host path (relative to the compose file's directory) stays inside the workspace: no absolute path, no
 * `~`, no `..` escape, no variable (the host resolves it, we cannot check it), and, when `repo` is the local
 * repo, no symbolic link on the way that leads outside it.
 */
export function pathEscape(source: string, composeFile: string, repo?: string): string | undefined {
  if (source.includes('$')) return 'uses a variable (resolved on the host, so it cannot be checked)';
  if (source.startsWith('/')) return 'is an absolute host path';
  if (source.startsWith('~')) return 'is in a home directory on the host';
  const rel = posix.normalize(posix.join(posix.dirname(composeFile), source));
  if (rel === '..' || rel.startsWith('../')) return 'leaves the workspace (..)';
  if (repo) return symlinkEscape(repo, rel);
  return undefined;
}

function symlinkEscape(repo: string, rel: string): string | undefined {
  const root = realpathSync(repo);
  let p = join(repo, rel);
  while (!existsSync(p) && p !== dirname(p)) p = dirname(p);
  if (!existsSync(p)) return undefined;
  return insideDir(root, realpathSync(p))
    ? undefined
    : 'goes through a symbolic link that leads outside the workspace';
}

const hostMode = (v: unknown) => typeof v === 'string' && (v === 'host' || v.startsWith('container:'));

/** A short volume spec `src:dst[:mode]` binds a host path when src looks like a path (not a volume name). */
function bindSource(v: unknown): string | undefined {
  if (typeof v === 'string') {
    const i = v.indexOf(':');
    if (i <= 0) return undefined;
    const src = v.slice(0, i);
    return /^[.~/$]/.test(src) || src.includes('/') ? src : undefined;
  }
  if (isObj(v) && v.type === 'bind' && typeof v.source === 'string') return v.source;
  return undefined;
}

const weakens = (opt: unknown) =>
  typeof opt === 'string' && /unconfined|label[:=]disable|no-new-privileges[:=]false/i.test(opt);

/** Every policy violation in a compose document (its services and top-level volumes, configs and secrets). */
export function violations(doc: Obj, composeFile: string, repo?: string): Violation[] {
  const out: Violation[] = [];
  const path = (service: string, field: string, source: unknown) => {
    if (typeof source !== 'string') return;
    const why = pathEscape(source, composeFile, repo);
    if (why) out.push({ service, field, why: `${shown(source)} ${why}`, allowance: 'bind_mounts_outside' });
  };
  const services = isObj(doc.services) ? doc.services : {};
  for (const [name, raw] of Object.entries(services)) {
    const svc = isObj(raw) ? raw : {};
    const flag = (field: string, why: string, allowance: Allowance) =>
      out.push({ service: name, field, why, allowance });
    if (svc.privileged === true || svc.privileged === 'true') flag('privileged', 'is set', 'privileged');
    if (hostMode(svc.network_mode)) flag('network_mode', `is ${shown(svc.network_mode)}`, 'host_network');
    if (hostMode(svc.pid)) flag('pid', `is ${shown(svc.pid)}`, 'host_pid');
    if (hostMode(svc.ipc)) flag('ipc', `is ${shown(svc.ipc)}`, 'host_ipc');
    if (svc.userns_mode === 'host') flag('userns_mode', 'is host', 'host_userns');
    if (svc.uts === 'host') flag('uts', 'is host', 'host_uts');
    if (svc.cgroup === 'host') flag('cgroup', 'is host', 'host_cgroup');
    if (Array.isArray(svc.cap_add) && svc.cap_add.length) flag('cap_add', 'adds capabilities', 'cap_add');
    for (const f of ['devices', 'device_cgroup_rules'])
      if (Array.isArray(svc[f]) && (svc[f] as unknown[]).length) flag(f, 'gives host devices', 'devices');
    if (Array.isArray(svc.security_opt) && svc.security_opt.some(weakens))
      flag('security_opt', 'disables confinement', 'security_opt');
    if (Array.isArray(svc.volumes_from) && svc.volumes_from.some((v) => String(v).startsWith('container:')))
      flag('volumes_from', 'names a container outside the project', 'bind_mounts_outside');
    for (const v of Array.isArray(svc.volumes) ? svc.volumes : []) path(name, 'volumes', bindSource(v));
    const build = typeof svc.build === 'string' ? { context: svc.build } : isObj(svc.build) ? svc.build : {};
    path(name, 'build.context', build.context);
    for (const f of Array.isArray(svc.env_file) ? svc.env_file : [svc.env_file])
      path(name, 'env_file', isObj(f) ? f.path : f);
    if (isObj(svc.extends)) path(name, 'extends.file', svc.extends.file);
  }
  for (const [name, raw] of Object.entries(isObj(doc.volumes) ? doc.volumes : {})) {
    const opts = isObj(raw) && isObj(raw.driver_opts) ? raw.driver_opts : {};
    if (typeof opts.device === 'string') path(`volume ${name}`, 'driver_opts.device', opts.device);
  }
  for (const top of ['configs', 'secrets'])
    for (const [name, raw] of Object.entries(isObj(doc[top]) ? (doc[top] as Obj) : {}))
      if (isObj(raw)) path(`${top.slice(0, -1)} ${name}`, 'file', raw.file);
  return out;
}

/**
 * Refuse a compose file that breaks the policy (usage error, exit 2, naming the service and the field) unless
 * the profile allows each breach; an allowed breach is logged as a warning.
 */
export function enforcePolicy(
  text: string,
  composeFile: string,
  opts: { config: Record<string, unknown>; log: Logger; repo?: string },
): void {
  let doc: unknown;
  try {
    doc = parseYaml(text, { merge: true });
  } catch (err) {
    throw usageError(`compose file ${composeFile} is not valid YAML: ${shown((err as Error).message)}`);
  }
  const allowed = allowancesOf(opts.config);
  const found = violations(isObj(doc) ? doc : {}, composeFile, opts.repo);
  const refused = found.filter((v) => !allowed.has(v.allowance));
  for (const v of found.filter((x) => allowed.has(x.allowance))) {
    opts.log.warn(
      `compose policy relaxed by config.allow ${v.allowance}: service ${v.service} ${v.field} ${v.why}`,
    );
  }
  if (refused.length) {
    const [first] = refused;
    const more = refused.length > 1 ? ` (and ${refused.length - 1} more)` : '';
    throw new SandboxerError(
      'validation',
      `compose file ${composeFile}: service ${first!.service}: ${first!.field} ${first!.why}${more}`,
      {
        hint: `keep the sandbox in its workspace, or let the profile allow it (config.allow: [${first!.allowance}])`,
      },
    );
  }
}
