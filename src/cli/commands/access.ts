import { cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseDurationSeconds } from '../../core/duration.ts';
import { usageError } from '../../core/errors.ts';
import { byteProgress, megabytes } from '../../core/progress.ts';
import { SANDBOX_ID_RE } from '../../core/ids.ts';
import type { Endpoint, OutputSink } from '../../extensions/contract.ts';
import { LocalTarStream, localTarSource } from '../../extensions/ssh/local-tar.ts';
import { SandboxAccess } from '../../manager/access.ts';
import type { Command, CommandContext } from '../command.ts';
import { table } from '../output.ts';
import { keepExecRoute } from '../exec-route/keep.ts';

/** Using a live sandbox from the CLI: exec, logs, cp, ports, url — the same calls the action and the API make. */
const access = async (ctx: CommandContext) => new SandboxAccess(await ctx.accessSource());

const service = {
  service: { type: 'string', short: 's', description: 'compose service (default: the workspace)' },
} as const;

/** Raw output: exec and logs stream bytes as they arrive (with --json, one JSON line per chunk). */
function sink(ctx: CommandContext): OutputSink {
  if (ctx.json) {
    const line = (stream: string) => (d: Buffer) =>
      ctx.out(JSON.stringify({ stream, data: d.toString('utf8') }));
    return { stdout: line('stdout'), stderr: line('stderr') };
  }
  return { stdout: (d) => ctx.stdoutRaw(d), stderr: (d) => ctx.stderrRaw(d) };
}

function parseEnv(items: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const item of items) {
    const i = item.indexOf('=');
    const key = i > 0 ? item.slice(0, i) : '';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key))
      throw usageError(`--env '${item.slice(0, 60)}' is not NAME=value`, 'e.g. --env CI=true');
    env[key] = item.slice(i + 1);
  }
  return env;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks);
}

export const exec: Command = {
  name: 'exec',
  lean: true,
  summary: 'Run a command in a ready sandbox; its output streams here and its exit code is ours',
  usage:
    'sandboxer exec ID [--service S] [--cwd DIR] [--env K=V]... [--timeout DUR] [--stdin] -- CMD [ARG...]',
  details: [
    'Everything after -- is the command, run without a shell (use sh -c "..." for one). Without --service it runs',
    'in the sandbox workspace (compose-ssh: the project directory on the host), with one in that service container.',
    "Ctrl-C ends the remote command. Exit code: the command's (124 when --timeout ended it).",
    'A repeated `exec ID [--service S] -- CMD` of the same sandbox, with no other option, takes the warm path: it',
    'sends the command straight to the SSH mux agent while nothing the first exec resolved has changed',
    '(docs/using-a-sandbox.md, "Warm exec").',
    'Examples:',
    '  sandboxer exec "$SANDBOX_ID" -- make e2e',
    '  sandboxer exec "$SANDBOX_ID" --service web -- sh -c "curl -fsS localhost:8080/health"',
  ].join('\n'),
  options: {
    ...service,
    cwd: { type: 'string', description: 'working directory (relative: to the workspace)' },
    env: { type: 'string', short: 'e', multiple: true, description: 'NAME=value for the command' },
    timeout: { type: 'string', description: 'end the command after this long, e.g. 10m' },
    stdin: { type: 'boolean', description: "send this process's stdin to the command" },
  },
  positionals: ['id', 'command...'],
  async run(ctx, { values, positionals }) {
    const [id, ...argv] = positionals;
    if (argv.length === 0) throw usageError('exec: missing the command', `usage: ${exec.usage}`);
    let kept: Parameters<typeof keepExecRoute>[1] | undefined;
    const r = await (
      await access(ctx)
    ).exec(
      id!,
      {
        argv,
        ...(values.service ? { service: String(values.service) } : {}),
        ...(values.cwd ? { cwd: String(values.cwd) } : {}),
        ...(values.env ? { env: parseEnv(values.env as string[]) } : {}),
        ...(values.timeout ? { timeout_s: parseDurationSeconds(String(values.timeout), '--timeout') } : {}),
        ...(values.stdin ? { stdin: await readAll(ctx.stdin()) } : {}),
      },
      sink(ctx),
      { signal: ctx.signal, execRoute: (route, record) => (kept = { route, record }) },
    );
    if (kept) keepExecRoute(ctx, kept, values.service ? String(values.service) : '');
    if (ctx.json) ctx.out(JSON.stringify({ exit: r }));
    if (r.timed_out) ctx.log.warn(`the command did not end within --timeout ${String(values.timeout)}`);
    return r.timed_out ? 124 : r.exit_code;
  },
};

export const logs: Command = {
  name: 'logs',
  lean: true,
  summary: "Show the logs of a sandbox's services (compose-ssh), or follow them",
  usage: 'sandboxer logs ID [--service S] [--tail N] [--since DUR|TIME] [--follow]',
  details:
    'Without --service every service is shown, each line prefixed with its name. --follow runs until Ctrl-C.',
  options: {
    service: { type: 'string', short: 's', description: 'one service only' },
    tail: { type: 'string', short: 'n', description: 'the last N lines' },
    since: { type: 'string', description: 'lines since a duration ago (10m) or an ISO time' },
    follow: { type: 'boolean', short: 'f', description: 'keep streaming new lines' },
  },
  positionals: ['id'],
  async run(ctx, { values, positionals }) {
    const tail = values.tail === undefined ? undefined : Number(values.tail);
    if (tail !== undefined && !(Number.isInteger(tail) && tail >= 0))
      throw usageError(`--tail '${String(values.tail).slice(0, 40)}' is not a whole number`);
    await (
      await access(ctx)
    ).logs(
      positionals[0]!,
      {
        ...(values.service ? { service: String(values.service) } : {}),
        ...(tail !== undefined ? { tail } : {}),
        ...(values.since ? { since: String(values.since) } : {}),
        ...(values.follow ? { follow: true } : {}),
      },
      sink(ctx),
      { signal: ctx.signal },
    );
  },
};

async function endpointsOf(ctx: CommandContext, id: string): Promise<Endpoint[]> {
  return (await access(ctx)).endpoints(id, { signal: ctx.signal });
}

export const ports: Command = {
  name: 'ports',
  lean: true,
  summary: 'List the reachable ports of a sandbox: service, port, host:port and URL',
  usage: 'sandboxer ports ID [--json]',
  positionals: ['id'],
  async run(ctx, { positionals }) {
    const eps = await endpointsOf(ctx, positionals[0]!);
    if (ctx.json) return void ctx.out(JSON.stringify(eps, null, 2));
    ctx.out(
      table(
        eps.map((e) => ({ ...e, address: `${e.host}:${e.host_port}` })),
        ['service', 'port', 'address', 'url'],
      ),
    );
  },
};

export const url: Command = {
  name: 'url',
  lean: true,
  summary: 'Print the URL of a sandbox endpoint (the first one, or the one --service/--port name)',
  usage: 'sandboxer url ID [--service S] [--port P] [--json]',
  details: 'Example: curl "$(sandboxer url "$SANDBOX_ID" --service web --port 8080)/health"',
  options: {
    service: { type: 'string', short: 's', description: 'the service serving it' },
    port: { type: 'string', short: 'P', description: 'the port inside the sandbox' },
  },
  positionals: ['id'],
  async run(ctx, { values, positionals }) {
    const eps = await endpointsOf(ctx, positionals[0]!);
    const port = values.port === undefined ? undefined : Number(values.port);
    const hit = eps.find(
      (e) =>
        e.url &&
        (values.service === undefined || e.service === values.service) &&
        (port === undefined || e.port === port),
    );
    if (!hit)
      throw usageError(
        `sandbox ${positionals[0]} has no URL${values.service ? ` for service ${String(values.service)}` : ''}${port ? ` on port ${port}` : ''}`,
        eps.length
          ? `its endpoints: ${eps.map((e) => `${e.service}:${e.port}`).join(', ')}`
          : 'it publishes no ports',
      );
    ctx.out(ctx.json ? JSON.stringify(hit, null, 2) : hit.url!);
  },
};

/** `ID:PATH` → the sandbox side of a cp; anything else is a local path. */
function remoteSide(arg: string): { id: string; path: string } | undefined {
  const i = arg.indexOf(':');
  if (i <= 0 || !SANDBOX_ID_RE.test(arg.slice(0, i))) return undefined;
  return { id: arg.slice(0, i), path: arg.slice(i + 1) || '.' };
}

export const cp: Command = {
  name: 'cp',
  lean: true,
  summary: 'Copy files or directories into or out of a sandbox (as a tar stream)',
  usage: 'sandboxer cp [--service S] SRC ID:DST | sandboxer cp [--service S] ID:SRC DST',
  details: [
    "Into the sandbox: a directory's contents go into DST (created); a file goes into the directory DST.",
    'Out of it: a directory becomes DST (or goes inside DST when that directory exists); a file becomes DST.',
    'Relative sandbox paths are relative to the workspace; in a service container use absolute paths.',
  ].join('\n'),
  options: { ...service },
  positionals: ['src', 'dst'],
  async run(ctx, { values, positionals }) {
    const [src, dst] = positionals as [string, string];
    const from = remoteSide(src);
    const to = remoteSide(dst);
    if (Boolean(from) === Boolean(to))
      throw usageError('cp: exactly one side must be ID:PATH', `usage: ${cp.usage}`);
    const svc = values.service ? { service: String(values.service) } : {};
    if (to) {
      const local = resolve(src);
      if (!existsSync(local)) throw usageError(`cp: ${src} does not exist`);
      // Through the SSH mux agent, the agent itself reads the files (LocalTarStream).
      const tar = new LocalTarStream(
        localTarSource(local, statSync(local).isDirectory(), ctx.env),
        (n, done) =>
          ctx.log.info(`${done ? 'copied' : 'copying'} ${megabytes(n)} (tar) into ${to.id}:${to.path}`),
      );
      await (await access(ctx)).putFiles(to.id, { ...svc, path: to.path }, tar, { signal: ctx.signal });
      if (ctx.json) ctx.out(JSON.stringify({ copied: { from: src, to: dst } }));
      return;
    }
    const { extract } = await import('tar');
    const out = resolve(dst);
    mkdirSync(dirname(out), { recursive: true });
    const tmp = mkdtempSync(join(dirname(out), '.sandboxer-cp-'));
    try {
      const stream = await (
        await access(ctx)
      ).getFiles(from!.id, { ...svc, path: from!.path }, { signal: ctx.signal });
      await pipeline(
        stream,
        byteProgress((n, done) =>
          ctx.log.info(
            `${done ? 'copied' : 'copying'} ${megabytes(n)} (tar) out of ${from!.id}:${from!.path}`,
          ),
        ),
        extract({ cwd: tmp }),
      );
      const name = basename(from!.path.replace(/\/+$/, '')) || '.';
      const got = join(tmp, name);
      if (!existsSync(got)) throw usageError(`cp: ${src} sent nothing`);
      const target = existsSync(out) && statSync(out).isDirectory() ? join(out, name) : out;
      if (existsSync(target)) cpSync(got, target, { recursive: true, force: true });
      else renameSync(got, target);
      if (ctx.json) ctx.out(JSON.stringify({ copied: { from: src, to: target } }));
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  },
};

export const accessCommands: Command[] = [exec, logs, cp, ports, url];
