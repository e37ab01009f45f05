import { SANDBOX_ID_RE } from '../../core/ids.ts';
import { posix } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { usageError } from '../../core/errors.ts';
import { splitWords } from '../ssh/quote.ts';

/** Compose project name for a sandbox: lowercase, digits and `-` only (the id is `sbx-<12 [a-z0-9]>`). */
export function projectName(sandboxId: string): string {
  if (!SANDBOX_ID_RE.test(sandboxId)) throw usageError(`'${sandboxId}' is not a sandbox id`);
  return sandboxId;
}

/**
 * `-f <file>` for each compose file. A relative path starting with `-` would be read as an option by compose
 * (podman-compose's argparse takes `-f -x.yml` as a missing value plus an unknown option): it goes as `./-x.yml`.
 */
export const composeFileArgs = (files: readonly string[]): string[] =>
  files.flatMap((f) => ['-f', f.startsWith('-') ? `./${f}` : f]);

/** A compose file path inside the workspace: relative, no `..`, no NUL/newline. Anything else is refused. */
export function safeRelativePath(p: string, what: string): string {
  const norm = posix.normalize(p);
  if (
    !p ||
    /[\0\n\r]/.test(p) ||
    p.startsWith('/') ||
    norm === '..' ||
    norm.startsWith('../') ||
    norm.split('/').includes('..')
  ) {
    throw usageError(`${what} '${p}' must be a relative path inside the repo`, 'e.g. docker-compose.yml');
  }
  return norm;
}

/**
 * The compose file with every published host port left to the engine (`8080:80` → `80`,
 * `127.0.0.1:8080:80` → `127.0.0.1::80`), so two sandboxes of one stack never collide on a host port; the
 * ports actually given are read back as endpoints. JSON (a YAML subset); everything else is kept as written.
 */
export function withEphemeralPorts(text: string, file: string): string {
  let doc: { services?: Record<string, { ports?: unknown } | null> } | null;
  try {
    doc = parseYaml(text, { merge: true }) as typeof doc;
  } catch (err) {
    throw usageError(`compose file ${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  for (const svc of Object.values(doc?.services ?? {})) {
    if (svc && Array.isArray(svc.ports)) svc.ports = svc.ports.map(ephemeralPort);
  }
  return JSON.stringify(doc, null, 2);
}

function ephemeralPort(p: unknown): unknown {
  if (p && typeof p === 'object') {
    const { published: _published, ...rest } = p as Record<string, unknown>;
    return rest;
  }
  if (typeof p !== 'string') return p;
  const [spec = '', proto] = p.split('/');
  // Split on ':' outside ${...} interpolations.
  const parts = spec.match(/(\$\{[^}]*\}|[^:])+|(?<=:)(?=:)/g) ?? [spec];
  const container = parts.at(-1)!;
  const ip = parts.length === 3 ? parts[0] : undefined;
  const out = ip ? `${ip}::${container}` : container;
  return proto ? `${out}/${proto}` : out;
}

export interface ComposeShape {
  services: string[];
  /** The services a plain `up` starts (not behind a compose profile, not scaled to zero). */
  started: string[];
  volumes: string[];
}

/** Service and named-volume names of a compose file (the override that labels them needs them). */
export function composeShape(text: string, file: string): ComposeShape {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw usageError(`compose file ${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const obj = (doc ?? {}) as { services?: unknown; volumes?: unknown };
  if (!obj.services || typeof obj.services !== 'object' || Object.keys(obj.services).length === 0) {
    throw usageError(`compose file ${file} defines no services`, 'a compose project needs a services: map');
  }
  const services = obj.services as Record<
    string,
    { profiles?: unknown; deploy?: { replicas?: unknown } } | null
  >;
  return {
    services: Object.keys(services),
    started: Object.keys(services).filter((name) => {
      const svc = services[name] ?? {};
      return !(Array.isArray(svc.profiles) && svc.profiles.length) && svc.deploy?.replicas !== 0;
    }),
    volumes: obj.volumes && typeof obj.volumes === 'object' ? Object.keys(obj.volumes) : [],
  };
}

/**
 * The override compose file that puts the ownership labels on every service and named volume. JSON (a YAML
 * subset) written through stdin, so label values never pass through a shell.
 */
export function labelsOverride(shape: ComposeShape, raw: Record<string, string>): string {
  const labels = engineLabels(raw);
  return JSON.stringify(
    {
      services: Object.fromEntries(shape.services.map((s) => [s, { labels }])),
      ...(shape.volumes.length
        ? { volumes: Object.fromEntries(shape.volumes.map((v) => [v, { labels }])) }
        : {}),
    },
    null,
    2,
  );
}

/**
 * Labels as the container engines accept them. podman parses `--label` values as CSV, so a `"` fails and a `,`
 * would split one label into two (a label injection); control characters are refused too. Anything outside a
 * conservative set becomes `_`. The exact labels stay in the sandbox's meta/labels.json, which `list` prefers.
 */
export function engineLabels(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(labels).map(([k, v]) => [
      k.replace(/[^A-Za-z0-9._/-]/g, '_'),
      v.replace(/[^A-Za-z0-9 ._:/@+=~-]/g, '_'),
    ]),
  );
}

/** The canary stack: one tiny HTTP service with a healthcheck. */
export function canaryCompose(image: string): string {
  return JSON.stringify(
    {
      services: {
        canary: {
          image,
          command: [
            'sh',
            '-c',
            'mkdir -p /tmp/www && echo ok > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www',
          ],
          stop_signal: 'SIGKILL',
          healthcheck: {
            test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8080/'],
            interval: '2s',
            retries: 5,
          },
        },
      },
    },
    null,
    2,
  );
}

export interface Runtime {
  compose: string[];
  engine: string[];
}

/** The compose runtime (`SANDBOXER_COMPOSE_CMD`, default `docker compose`) and its container engine CLI. */
export function runtimeFrom(config: Record<string, unknown>, env: NodeJS.ProcessEnv): Runtime {
  const compose = splitWords(String(env.SANDBOXER_COMPOSE_CMD ?? config.compose_cmd ?? 'docker compose'));
  if (compose.length === 0) throw usageError('SANDBOXER_COMPOSE_CMD is empty', 'e.g. docker compose');
  const engineCmd = env.SANDBOXER_ENGINE_CMD ?? (config.engine_cmd as string | undefined);
  const engine = engineCmd
    ? splitWords(engineCmd)
    : [compose[0]!.startsWith('podman') ? 'podman' : compose[0]!.replace(/-compose$/, '')];
  return { compose, engine };
}
