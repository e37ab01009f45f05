import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { stringify } from 'yaml';
import { loadCatalog, packagedCatalogRoot } from '../../catalog/loader.ts';
import { CatalogError } from '../../catalog/yaml-errors.ts';
import { SandboxerError, shown, usageError } from '../../core/errors.ts';
import { parseHostSpec } from '../../extensions/ssh/target.ts';
import type { Command } from '../command.ts';

/** The profile field each flag fills, to name the flag when the catalog check refuses a value. */
const FLAG_OF: Record<string, string> = {
  id: '--name',
  description: '--description',
  'placement.host': '--host',
  'placement.user': '--user',
  'placement.port': '--port',
  'placement.key_ref': '--key-ref',
  'placement.known_hosts': '--known-hosts',
  'placement.host_key_sha256': '--host-key-sha256',
  'placement.preferred': '--preferred',
  'ttl.default': '--ttl',
  'ttl.max': '--ttl-max',
  'config.compose_cmd': '--compose-cmd',
  'config.base_dir': '--base-dir',
};

const SCHEMA_URL =
  'https://raw.githubusercontent.com/sand-boxer/setup-sandbox/main/schemas/profile.schema.json';

/** A profile name from a host: `build01.internal` → `build01-internal`. */
const nameFromHost = (host: string): string =>
  host
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '') || 'my-host';

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The profile document the flags describe (only what was given, plus the compose-ssh template's inputs). */
export function hostProfile(values: Record<string, unknown>): Record<string, unknown> {
  const spec = parseHostSpec(String(values.host));
  const port = str(values.port);
  if (port !== undefined && !/^\d{1,5}$/.test(port))
    throw usageError(`--port ${shown(port)} is not a port number`, 'use e.g. --port 22');
  const name = str(values.name)?.replace(/^profile\./, '') ?? nameFromHost(spec.host);
  const preferred = str(values.preferred)
    ?.split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  for (const h of preferred ?? []) parseHostSpec(h);
  const config = {
    ...(str(values['compose-cmd']) ? { compose_cmd: str(values['compose-cmd']) } : {}),
    ...(str(values['base-dir']) ? { base_dir: str(values['base-dir']) } : {}),
  };
  return {
    id: `profile.${name}`,
    version: '1.0.0',
    description: str(values.description) ?? `Compose stacks on ${spec.host} over SSH.`,
    extension: 'ext.compose-ssh',
    placement: {
      ...(preferred?.length ? { preferred } : {}),
      host: spec.host,
      user: str(values.user) ?? spec.user ?? 'sandboxer',
      port: port !== undefined ? Number(port) : (spec.port ?? 22),
      key_ref: str(values['key-ref']) ?? 'env:SANDBOXER_SSH_KEY',
      ...(str(values['known-hosts']) ? { known_hosts: resolve(str(values['known-hosts'])!) } : {}),
      ...(str(values['host-key-sha256']) ? { host_key_sha256: str(values['host-key-sha256']) } : {}),
    },
    inputs: {
      repo: { description: 'local directory holding the compose project', required: true, kind: 'path' },
      compose_file: { description: 'compose file inside the repo', default: 'docker-compose.yml' },
    },
    ttl: { default: str(values.ttl) ?? '1h', max: str(values['ttl-max']) ?? '8h' },
    ...(Object.keys(config).length ? { config } : {}),
  };
}

/**
 * Check the document as the catalog will: the zod schema and the cross-file checks (extension known, durations),
 * on a scratch catalog holding only the packaged files and this profile. A refusal names the flag.
 */
function checkProfile(id: string, text: string): void {
  const scratch = mkdtempSync(join(tmpdir(), 'sandboxer-init-'));
  try {
    mkdirSync(join(scratch, 'profiles'));
    writeFileSync(join(scratch, 'profiles', `${id}.yaml`), text);
    loadCatalog([packagedCatalogRoot(), scratch], {});
  } catch (err) {
    if (!(err instanceof CatalogError)) throw err;
    const lines = err.issues.map((i) => `${FLAG_OF[i.field] ?? i.field}: ${i.message}`);
    throw new SandboxerError('validation', `the profile is not valid:\n${lines.join('\n')}`, {
      hint: "fix the flags named above; 'sandboxer init host --help' lists them",
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export const initHost: Command = {
  name: 'init host',
  summary: 'Write a profile for your own SSH host (compose stacks over SSH), then check it with doctor',
  usage:
    'sandboxer init host --host [USER@]HOST[:PORT] [--user U] [--port N] [--key-ref REF] [--known-hosts FILE | --host-key-sha256 FP] [--name NAME] [--dir DIR] [--force] [--json]',
  details: [
    'Writes DIR/profiles/profile.NAME.yaml for ext.compose-ssh, checked by the same schema and cross-checks as',
    'the catalog loader, and refuses to replace an existing file without --force. Only references are written:',
    'the private key stays where --key-ref points (env:NAME, file:PATH or vault:<mount>/<path>#<key>). Without',
    '--known-hosts or --host-key-sha256 the host key is looked up in ~/.ssh/known_hosts (or SANDBOXER_KNOWN_HOSTS).',
    'DIR defaults to the first SANDBOXER_CATALOG_PATH entry, else ./sandboxer; put DIR on SANDBOXER_CATALOG_PATH',
    "and run 'sandboxer doctor --profile profile.NAME' (both printed when done). See docs/getting-started.md.",
    'Examples:',
    '  sandboxer init host --host sandboxer@build01.internal --known-hosts /etc/sandboxer/known_hosts',
    '  sandboxer init host --host 10.0.0.5:2222 --user ci --name lab --host-key-sha256 SHA256:… --dir ~/catalog',
  ].join('\n'),
  options: {
    host: { type: 'string', description: 'the SSH host, [user@]host[:port] (required)' },
    user: { type: 'string', description: 'login user (default: the user in --host, else sandboxer)' },
    port: { type: 'string', description: 'SSH port (default: the port in --host, else 22)' },
    'key-ref': {
      type: 'string',
      description: 'where the private key is read from at use (default env:SANDBOXER_SSH_KEY)',
    },
    'known-hosts': { type: 'string', description: 'known_hosts file holding the host key' },
    'host-key-sha256': {
      type: 'string',
      description: 'pinned host key fingerprint, SHA256:… (ssh-keygen -lf)',
    },
    preferred: {
      type: 'string',
      description: 'hosts tried first at create, comma-separated ([user@]host[:port])',
    },
    name: { type: 'string', description: 'profile name: profile.NAME (default: from the host)' },
    description: { type: 'string', description: "the profile's description" },
    ttl: { type: 'string', description: 'default sandbox lifetime (default 1h)' },
    'ttl-max': { type: 'string', description: 'longest lifetime a create may ask for (default 8h)' },
    'compose-cmd': {
      type: 'string',
      description: "compose command on the host (extension config; default 'docker compose')",
    },
    'base-dir': {
      type: 'string',
      description: 'directory for sandboxes on the host (extension config; default /var/tmp/sandboxer)',
    },
    dir: { type: 'string', description: 'catalog directory to write into (default: see below)' },
    force: { type: 'boolean', description: 'replace an existing profile file' },
  },
  async run(ctx, { values }) {
    if (typeof values.host !== 'string')
      throw usageError('init host: missing --host', `usage: ${initHost.usage}`);
    if (values['known-hosts'] !== undefined && values['host-key-sha256'] !== undefined)
      throw usageError(
        'give --known-hosts or --host-key-sha256, not both',
        'a pinned fingerprint replaces the known_hosts lookup',
      );
    const profile = hostProfile(values);
    const id = String(profile.id);
    const text = `# yaml-language-server: $schema=${SCHEMA_URL}\n# Written by 'sandboxer init host'.\n${stringify(profile, { lineWidth: 0 })}`;
    checkProfile(id, text);

    const catalogPath = (ctx.env.SANDBOXER_CATALOG_PATH ?? '').split(':').filter(Boolean);
    const dir = resolve(str(values.dir) ?? catalogPath[0] ?? 'sandboxer');
    const file = join(dir, 'profiles', `${id}.yaml`);
    if (existsSync(file) && !values.force)
      throw new SandboxerError('conflict', `${shown(file)} exists`, {
        hint: 'pass --force to replace it, or --name for another profile',
        exitCode: 2,
      });
    mkdirSync(join(dir, 'profiles'), { recursive: true });
    writeFileSync(file, text);

    const onPath = catalogPath.some((p) => resolve(p) === dir);
    const placement = profile.placement as { host: string; user: string; port: number; key_ref: string };
    const keyEnv = /^env:(.+)$/.exec(placement.key_ref)?.[1];
    const next = [
      ...(onPath
        ? []
        : [`export SANDBOXER_CATALOG_PATH=${dir}${catalogPath.length ? ':$SANDBOXER_CATALOG_PATH' : ''}`]),
      ...(keyEnv
        ? [`export ${keyEnv}="$(cat ~/.ssh/id_ed25519)"   # the private key for ${placement.user}`]
        : []),
      `sandboxer doctor --profile ${id}`,
    ];
    if (ctx.json) return ctx.out(JSON.stringify({ file, profile, next }, null, 2));
    const shownFile = relative(process.cwd(), file).startsWith('..') ? file : relative(process.cwd(), file);
    ctx.out(
      [
        `wrote ${shownFile}: ${id} on ext.compose-ssh, ${placement.user}@${placement.host}:${placement.port}`,
        'next:',
        ...next.map((l) => `  ${l}`),
      ].join('\n'),
    );
  },
};
