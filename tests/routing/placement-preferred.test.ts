import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Placement } from '../../src/catalog/schema.ts';
import { resolvePreferredTarget, tcpReachable } from '../../src/extensions/ssh/preferred.ts';

/** placement.preferred: the first reachable host of the list, probed with a TCP connect on loopback ports. */
const servers: Server[] = [];
let connections = 0;
const listen = async (): Promise<number> => {
  const server = createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
};
let open1 = 0;
let open2 = 0;
let closed = 0;

beforeAll(async () => {
  open1 = await listen();
  open2 = await listen();
  // A port that was just listening and is closed now: connections to it are refused.
  const gone = createServer();
  await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
  closed = (gone.address() as { port: number }).port;
  await new Promise<void>((resolve) => gone.close(() => resolve()));
});
afterAll(() => Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve)))));

const placement = (p: Record<string, unknown>) => Placement.parse(p);
const base = { config: {}, env: {} as NodeJS.ProcessEnv };

describe('placement.preferred', () => {
  it('picks the first reachable host of the list, in its order, with its user and port', async () => {
    const skipped: string[] = [];
    const t = await resolvePreferredTarget({
      ...base,
      placement: placement({
        host: 'fallback.invalid',
        preferred: [`127.0.0.1:${closed}`, `ci@127.0.0.1:${open1}`, `127.0.0.1:${open2}`],
      }),
      log: (m) => skipped.push(m),
    });
    expect(t).toMatchObject({ host: '127.0.0.1', port: open1, user: 'ci' });
    expect(skipped).toEqual([`placement: preferred host 127.0.0.1:${closed} is not reachable`]);
  });

  it('probes on placement.port when an entry names no port', async () => {
    const t = await resolvePreferredTarget({
      ...base,
      placement: placement({ host: 'fallback.invalid', port: open2, preferred: ['127.0.0.1'] }),
    });
    expect(t).toMatchObject({ host: '127.0.0.1', port: open2 });
  });

  it('falls back to placement.host when none is reachable, and says so when there is no fallback', async () => {
    const t = await resolvePreferredTarget({
      ...base,
      placement: placement({ host: 'fallback.example', preferred: [`127.0.0.1:${closed}`] }),
    });
    expect(t).toMatchObject({ host: 'fallback.example' });
    await expect(
      resolvePreferredTarget({ ...base, placement: placement({ preferred: [`127.0.0.1:${closed}`] }) }),
    ).rejects.toThrow(/no placement host is reachable: none of placement.preferred \(127.0.0.1:\d+\)/);
  });

  it('SANDBOXER_HOST and an explicit host still win, without probing anything', async () => {
    const before = connections;
    const p = placement({ host: 'fallback.invalid', preferred: [`127.0.0.1:${open1}`] });
    const env = await resolvePreferredTarget({
      ...base,
      env: { SANDBOXER_HOST: 'root@10.1.2.3:2200' },
      placement: p,
    });
    expect(env).toMatchObject({ host: '10.1.2.3', port: 2200, user: 'root' });
    const explicit = await resolvePreferredTarget({ ...base, placement: p, explicit: 'vm.example:2222' });
    expect(explicit).toMatchObject({ host: 'vm.example', port: 2222 });
    expect(connections).toBe(before);
  });

  it('a probe is a plain TCP connect: open, refused, cancelled', async () => {
    expect(await tcpReachable('127.0.0.1', open1)).toBe(true);
    expect(await tcpReachable('127.0.0.1', closed)).toBe(false);
    expect(await tcpReachable('127.0.0.1', open1, { signal: AbortSignal.abort() })).toBe(false);
  });
});
