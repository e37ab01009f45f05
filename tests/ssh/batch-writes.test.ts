import { createServer, connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { batchWrites } from '../../src/extensions/ssh/batch-writes.ts';

/** src/extensions/ssh/batch-writes.ts on a real TCP socket: a tick's writes leave in one writev, in order. */
describe('batchWrites', () => {
  it('joins the writes of one tick into one writev and keeps every byte in order', async () => {
    let got = '';
    const done = new Promise<void>((resolve) => {
      const server = createServer((s) => {
        s.setEncoding('utf8').on('data', (d: string) => (got += d));
        s.on('end', () => {
          server.close();
          resolve();
        });
      }).listen(0, '127.0.0.1');
      server.on('listening', () => {
        const { port } = server.address() as { port: number };
        const sock = connect(port, '127.0.0.1', () => void send(sock));
      });
    });
    const writevs: number[] = [];
    const send = async (sock: Socket) => {
      const internal = sock as unknown as { _writev(chunks: unknown[], cb: () => void): void };
      const writev = internal._writev.bind(sock);
      internal._writev = (chunks, cb) => {
        writevs.push(chunks.length);
        writev(chunks, cb);
      };
      sock.setNoDelay(true);
      batchWrites(sock);
      // What ssh2 does per packet: length, body, MAC — two packets in one tick.
      for (const piece of ['len1', 'body1', 'mac1', 'len2', 'body2', 'mac2']) sock.write(piece);
      await new Promise((r) => setImmediate(r));
      sock.write('next-tick');
      await new Promise((r) => setImmediate(r));
      sock.end();
    };
    await done;
    expect(got).toBe('len1body1mac1len2body2mac2next-tick');
    expect(writevs).toEqual([6]);
  });
});
