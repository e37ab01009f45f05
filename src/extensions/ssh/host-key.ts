import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { BackendError } from '../../core/errors.ts';

/** `SHA256:<base64, no padding>` of a raw host key blob, as printed by `ssh-keygen -lf`. */
export function fingerprintSha256(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

export const sameFingerprint = (a: string, b: string): boolean =>
  a.replace(/=+$/, '') === b.replace(/=+$/, '');

/** The host pattern known_hosts uses: `host` on port 22, `[host]:port` otherwise. */
export const knownHostsName = (host: string, port: number): string =>
  port === 22 ? host : `[${host}]:${port}`;

function hostMatches(field: string, name: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    if (!salt || !hash) return false;
    const digest = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
    return digest === hash;
  }
  let matched = false;
  for (const pattern of field.split(',')) {
    const negated = pattern.startsWith('!');
    const p = negated ? pattern.slice(1) : pattern;
    const re = new RegExp(
      `^${p
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    );
    if (re.test(name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

export type KnownHostsVerdict = 'match' | 'mismatch' | 'revoked' | 'unknown';

/**
 * Checks a presented host key blob against known_hosts text (plain and hashed entries, patterns, @revoked;
 * @cert-authority lines are not trusted for plain keys).
 */
export function checkKnownHosts(text: string, host: string, port: number, key: Buffer): KnownHostsVerdict {
  const name = knownHostsName(host, port);
  const presented = key.toString('base64');
  let sawHost = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const parts = line.split(/\s+/);
    let marker: string | undefined;
    if (parts[0]!.startsWith('@')) marker = parts.shift();
    const [hosts, , blob] = parts;
    if (!hosts || !blob || !hostMatches(hosts, name)) continue;
    if (marker === '@cert-authority') continue;
    if (marker === '@revoked') {
      if (blob === presented) return 'revoked';
      continue;
    }
    sawHost = true;
    if (blob === presented) return 'match';
  }
  return sawHost ? 'mismatch' : 'unknown';
}

export function readKnownHosts(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** What a host-key check needs of the target (SshTarget's fields). */
export interface HostKeyPolicy {
  host: string;
  port: number;
  host_key_sha256?: string | undefined;
  known_hosts?: string | undefined;
  insecure_accept_any_host_key?: boolean | undefined;
}

/**
 * Why a presented host key must be refused (pinned SHA256, else known_hosts), or undefined when it is accepted.
 * The one check for a direct connection and for every call through the mux agent (mux/client.ts).
 */
export function hostKeyProblem(
  target: HostKeyPolicy,
  key: Buffer,
): { message: string; hint: string } | undefined {
  const seen = fingerprintSha256(key);
  if (target.insecure_accept_any_host_key) return undefined;
  if (target.host_key_sha256) {
    if (sameFingerprint(seen, target.host_key_sha256)) return undefined;
    return {
      message: `host key of ${target.host}:${target.port} is ${seen}, not the pinned ${target.host_key_sha256}`,
      hint: 'if the host was rebuilt, update placement.host_key_sha256; otherwise do not connect',
    };
  }
  const text = target.known_hosts ? readKnownHosts(target.known_hosts) : undefined;
  const verdict = text === undefined ? 'unknown' : checkKnownHosts(text, target.host, target.port, key);
  if (verdict === 'match') return undefined;
  return {
    message:
      verdict === 'unknown'
        ? `host key of ${target.host}:${target.port} (${seen}) is not in ${target.known_hosts ?? 'known_hosts'}`
        : `host key of ${target.host}:${target.port} (${seen}) does not match ${target.known_hosts} (${verdict})`,
    hint: `add the host with 'ssh-keyscan -p ${target.port} ${target.host} >> ${target.known_hosts}' after checking the fingerprint, or pin placement.host_key_sha256`,
  };
}

/** The error for a refused host key (never retried: a different key is not a network blip). */
export const hostKeyRefused = (extId: string, p: { message: string; hint: string }): BackendError =>
  new BackendError(extId, p.message, { retryable: false, hint: p.hint });
