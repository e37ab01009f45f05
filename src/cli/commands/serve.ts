import { DEFAULT_MAX_BODY_BYTES, DEFAULT_PORT } from '../../api/defaults.ts';
import { DEFAULT_LIMITS } from '../../api/limits.ts';
import { parseDurationSeconds } from '../../core/duration.ts';
import { shown, usageError } from '../../core/errors.ts';
import { packageVersion } from '../../core/version.ts';
import type { Command } from '../command.ts';

function parseInteger(name: string, v: unknown, fallback: number, max: number): number {
  if (v === undefined) return fallback;
  const s = String(v);
  if (!/^\d+$/.test(s) || Number(s) > max)
    throw usageError(`--${name} ${shown(s)} is not a whole number between 0 and ${max}`);
  return Number(s);
}

export const serve: Command = {
  name: 'serve',
  summary: 'Serve the HTTP API (create, get, list, destroy, snapshots…) until SIGINT/SIGTERM',
  usage:
    'sandboxer serve [--port N] [--host ADDR] [--token-ref env:NAME|file:PATH] [--tokens-file PATH] [--allow-root DIR] [--max-body BYTES] [--drain-timeout DUR] [--max-in-flight N] [--rate N] [--burst N] [--reap-interval DUR|off] [--openapi]',
  details: [
    `Listens on 127.0.0.1:${DEFAULT_PORT} by default (--port 0 picks a free port). Every route except /healthz and`,
    '/openapi.json needs "Authorization: Bearer <token>" when --token-ref (or SANDBOXER_API_TOKEN_REF) or',
    '--tokens-file (or SANDBOXER_API_TOKENS_FILE) is set; a non-loopback --host without a token is refused.',
    'Each token of a tokens file names a caller and a scope: a caller sees only the sandboxes of its scope (others',
    'answer 404) unless its entry has admin: true. The --token-ref token is the admin caller "default". Path inputs',
    '(such as repo) are refused over HTTP unless --allow-root DIR is given; then they must lie inside DIR.',
    'On SIGINT/SIGTERM it stops accepting work, waits up to --drain-timeout (default 30s) for provisions and',
    'teardowns, then cancels the remaining provisions, which are torn down before it exits. Mutating routes are',
    'limited per caller (--max-in-flight, --rate, --burst): beyond them the answer is 429 with Retry-After.',
    '--openapi prints the OpenAPI document and exits. See docs/http-api.md.',
    'Every --reap-interval (default 60s) one replica of those sharing the state store — the one holding the reaper',
    'lock (a PostgreSQL advisory lock; a lock file beside a local store) — expires lapsed TTLs, reaps stale records',
    'and orphans, finishes provisions of replicas that are gone and replays the usage outbox. See docs/state.md.',
    'Examples:',
    '  sandboxer serve --port 7878',
    '  API_TOKEN=$(openssl rand -hex 32) sandboxer serve --host 0.0.0.0 --token-ref env:API_TOKEN',
    '  sandboxer serve --host 0.0.0.0 --tokens-file /etc/sandboxer/tokens.yaml --allow-root /srv/repos',
    '  sandboxer serve --openapi > openapi.json',
  ].join('\n'),
  options: {
    port: { type: 'string', description: 'port to listen on (default 7878)' },
    host: {
      type: 'string',
      description: 'address to bind (default 127.0.0.1; non-loopback needs --token-ref or --tokens-file)',
    },
    'token-ref': {
      type: 'string',
      description: 'where the single bearer token is (the admin caller "default"): env:NAME or file:PATH',
    },
    'tokens-file': {
      type: 'string',
      description:
        'YAML/JSON file of the callers: each token with its caller id, scope and optionally admin: true (docs/http-api.md)',
    },
    'allow-root': {
      type: 'string',
      description: 'accept path inputs (repo) over HTTP, only inside this directory (default: refuse them)',
    },
    'max-body': { type: 'string', description: 'largest request body accepted, in bytes' },
    'drain-timeout': {
      type: 'string',
      description: 'on SIGINT/SIGTERM wait this long for running work (default 30s)',
    },
    'max-in-flight': {
      type: 'string',
      description: `mutating operations one caller may have running at once (default ${DEFAULT_LIMITS.max_in_flight})`,
    },
    rate: {
      type: 'string',
      description: `mutating requests per second per caller, after the burst (default ${DEFAULT_LIMITS.rate_per_s})`,
    },
    burst: {
      type: 'string',
      description: `mutating requests one caller may send at once (default ${DEFAULT_LIMITS.burst})`,
    },
    'reap-interval': {
      type: 'string',
      description:
        'how often the replica holding the reaper lock expires and reaps (default 60s; off: never)',
    },
    openapi: { type: 'boolean', description: 'print the OpenAPI document and exit' },
  },
  async run(ctx, { values }) {
    // The API modules load here, not with the CLI: every other verb would pay for the server and its schemas.
    if (values.openapi) {
      const { buildOpenApi } = await import('../../api/openapi.ts');
      ctx.out(JSON.stringify(buildOpenApi({ version: packageVersion() }), null, 2));
      return;
    }
    const [{ resolveApiToken }, { loadTokens }, { startApiServer }, { Upkeep }, replicas] = await Promise.all(
      [
        import('../../api/auth.ts'),
        import('../../api/tokens.ts'),
        import('../../api/server.ts'),
        import('../../api/upkeep.ts'),
        import('../../state/replicas/index.ts'),
      ],
    );
    const port = parseInteger('port', values.port, DEFAULT_PORT, 65535);
    const maxBodyBytes = parseInteger(
      'max-body',
      values['max-body'],
      DEFAULT_MAX_BODY_BYTES,
      16 * 1024 * 1024,
    );
    const graceMs = parseDurationSeconds(String(values['drain-timeout'] ?? '30s'), '--drain-timeout') * 1000;
    const limits = {
      max_in_flight: parseInteger(
        'max-in-flight',
        values['max-in-flight'],
        DEFAULT_LIMITS.max_in_flight,
        100_000,
      ),
      rate_per_s: parseInteger('rate', values.rate, DEFAULT_LIMITS.rate_per_s, 100_000),
      burst: parseInteger('burst', values.burst, DEFAULT_LIMITS.burst, 100_000),
    };
    if (limits.max_in_flight < 1 || limits.rate_per_s <= 0 || limits.burst < 1)
      throw usageError('--max-in-flight, --rate and --burst must be at least 1');
    const host = String(values.host ?? '127.0.0.1');
    const tokenRef = (values['token-ref'] as string | undefined) ?? ctx.env.SANDBOXER_API_TOKEN_REF;
    const reapEvery = String(values['reap-interval'] ?? '60s');
    const reapMs = reapEvery === 'off' ? 0 : parseDurationSeconds(reapEvery, '--reap-interval') * 1000;
    const manager = ctx.manager();
    const token = tokenRef ? await resolveApiToken(tokenRef, manager.credentials, ctx.env) : undefined;
    const tokensFile = (values['tokens-file'] as string | undefined) ?? ctx.env.SANDBOXER_API_TOKENS_FILE;
    const tokens = tokensFile ? await loadTokens(tokensFile, manager.credentials, ctx.env) : [];
    const allowRoot = values['allow-root'] as string | undefined;
    // This replica is announced alive before it accepts work, and stays so until its own work has drained: the
    // records it creates name it, and the reaper leaves a live replica's provisions alone.
    const coordinator = replicas.coordinatorFor(manager.store, ctx.log);
    await coordinator.start();
    manager.provisioner = coordinator.replica;
    const upkeep = reapMs
      ? new Upkeep({ manager, coordinator, intervalMs: reapMs, log: ctx.log })
      : undefined;
    const server = await startApiServer({
      manager,
      host,
      port,
      maxBodyBytes,
      limits,
      log: ctx.log,
      version: packageVersion(),
      ...(token ? { token } : {}),
      tokens,
      ...(allowRoot !== undefined ? { allowRoot } : {}),
    }).catch(async (err: unknown) => {
      await coordinator.close();
      throw err;
    });
    const callers = tokens.length + (token ? 1 : 0);
    const auth = callers ? `bearer, ${callers} caller(s)` : 'none (loopback only)';
    ctx.out(
      ctx.json
        ? JSON.stringify({
            url: server.url,
            host: server.host,
            port: server.port,
            auth: callers ? 'bearer' : 'none',
            callers,
            path_inputs: allowRoot === undefined ? 'refused' : 'allow-root',
            replica: coordinator.replica,
          })
        : `listening on ${server.url} (auth: ${auth}); state: ${manager.store.location}`,
    );
    upkeep?.start();
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    ctx.log.info(`draining: ${server.inFlight} operation(s) in flight`);
    await upkeep?.stop();
    await server.close({ graceMs });
    await coordinator.close();
    ctx.log.info('stopped');
  },
};
