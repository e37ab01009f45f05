import { connect } from 'node:net';
import type { WaitStrategy } from '../catalog/schema.ts';
import { BackendError, CancelledError } from '../core/errors.ts';
import { notYet, poll, ready } from '../core/poll.ts';
import type { AccessContext, AccessMethods, Endpoint } from '../extensions/contract.ts';

/**
 * The profile's wait strategies (testcontainers' idea): after the backend says ready, each check in turn must
 * pass within its own timeout — `port` (the endpoint accepts a TCP connection from here), `http` (the status
 * answers), `log` (a line matches), `command` (exits 0). A check that never passes fails the create with the
 * last reason it gave.
 */
const durationMs = (d: string): number => {
  const m = /^(\d+)(ms|s|m)$/.exec(d)!;
  return Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 's' ? 1000 : 60_000);
};

export function describeWait(w: WaitStrategy): string {
  const on = w.service ? ` on ${w.service}` : '';
  switch (w.type) {
    case 'port':
      return `port ${w.port}${on}`;
    case 'http':
      return `http ${w.path} → ${w.status} on port ${w.port}${on}`;
    case 'log':
      return `log /${w.pattern}/${on}`;
    case 'command':
      return `command ${Array.isArray(w.command) ? w.command.join(' ') : w.command}${on}`;
  }
}

/** One bounded attempt's own timer (not AbortSignal.timeout, which can stop firing after a GC). */
function attemptSignal(parent: AbortSignal, ms: number): { signal: AbortSignal; done(): void } {
  const c = new AbortController();
  const t = setTimeout(() => c.abort(), ms);
  const onAbort = () => c.abort();
  parent.addEventListener('abort', onAbort, { once: true });
  return {
    signal: c.signal,
    done: () => {
      clearTimeout(t);
      parent.removeEventListener('abort', onAbort);
    },
  };
}

function endpointFor(eps: Endpoint[], w: { port: number; service?: string | undefined }): Endpoint {
  const ep = eps.find((e) => e.port === w.port && (!w.service || e.service === w.service));
  if (!ep) throw new Error(`no endpoint for port ${w.port}${w.service ? ` of ${w.service}` : ''} yet`);
  return ep;
}

function tcpConnect(host: string, port: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host, port });
    const fail = (err: Error) => {
      sock.destroy();
      reject(err);
    };
    signal.addEventListener('abort', () => fail(new Error(`connecting to ${host}:${port} timed out`)), {
      once: true,
    });
    sock.once('connect', () => {
      sock.end();
      resolve();
    });
    sock.once('error', (e) =>
      fail(new Error(`${host}:${port}: ${(e as NodeJS.ErrnoException).code ?? e.message}`)),
    );
  });
}

/** One try of a strategy: resolves when satisfied, throws with the reason when not (yet). */
async function tryOnce(ext: AccessMethods, ctx: AccessContext, w: WaitStrategy, signal: AbortSignal) {
  const c = { ...ctx, signal };
  const service = w.service ? { service: w.service } : {};
  const need = (m: keyof AccessMethods) => {
    if (!ext[m])
      throw new BackendError(ctx.manifest.id, `wait ${w.type} needs ${m}, which ${ctx.manifest.id} lacks`, {
        retryable: false,
      });
  };
  switch (w.type) {
    case 'port': {
      need('endpoints');
      const ep = endpointFor(await ext.endpoints!(c), w);
      return tcpConnect(ep.host, ep.host_port, signal);
    }
    case 'http': {
      need('endpoints');
      const ep = endpointFor(await ext.endpoints!(c), w);
      const base = ep.url ?? `http://${ep.host}:${ep.host_port}`;
      const res = await fetch(new URL(w.path, base), { signal, redirect: 'manual' });
      await res.body?.cancel();
      if (res.status !== w.status) throw new Error(`${w.path} answered ${res.status}, not ${w.status}`);
      return;
    }
    case 'log': {
      need('logs');
      const chunks: Buffer[] = [];
      const sink = (d: Buffer) => void chunks.push(d);
      await ext.logs!(c, { ...service, tail: 1000 }, { stdout: sink, stderr: sink });
      const re = new RegExp(w.pattern);
      if (
        !Buffer.concat(chunks)
          .toString('utf8')
          .split('\n')
          .some((l) => re.test(l))
      )
        throw new Error(`no log line matches /${w.pattern}/ yet`);
      return;
    }
    case 'command': {
      need('exec');
      const cmd = Array.isArray(w.command) ? { argv: w.command } : { shell: w.command };
      const err: Buffer[] = [];
      const r = await ext.exec!(
        c,
        { ...service, ...cmd },
        { stdout: () => undefined, stderr: (d) => void err.push(d) },
      );
      if (r.exit_code !== 0)
        throw new Error(
          `exit ${r.exit_code}${err.length ? `: ${Buffer.concat(err).toString('utf8').trim().slice(-200)}` : ''}`,
        );
    }
  }
}

export async function waitFor(
  ext: AccessMethods,
  ctx: AccessContext,
  waits: readonly WaitStrategy[],
): Promise<void> {
  for (const w of waits) {
    const what = describeWait(w);
    ctx.log.info(`waiting for ${what} (up to ${w.timeout})`);
    await poll(
      async (signal) => {
        const a = attemptSignal(signal, 10_000);
        try {
          await tryOnce(ext, ctx, w, a.signal);
          return ready(undefined);
        } catch (err) {
          if (ctx.signal.aborted) throw new CancelledError();
          if (err instanceof BackendError && err.message.includes(' needs ')) throw err;
          return notYet((err as Error).message);
        } finally {
          a.done();
        }
      },
      {
        signal: ctx.signal,
        timeout_ms: durationMs(w.timeout),
        timedOut: (last) =>
          new BackendError(ctx.manifest.id, `wait for ${what} did not pass within ${w.timeout}: ${last}`, {
            retryable: false,
            hint: "check the service (sandboxer logs ID) or loosen the profile's wait: entry",
          }),
      },
    );
  }
}
