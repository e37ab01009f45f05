import type { Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { frame, readFrames } from '../../src/extensions/ssh/mux/frames.ts';

/** The mux agent's frame reader, fed the same bytes cut at every kind of boundary. */
function read(pieces: Buffer[]): { type: number; body: string }[] {
  const sock = new PassThrough();
  const got: { type: number; body: string }[] = [];
  readFrames(sock as unknown as Socket, (type, body) => got.push({ type, body: body.toString('hex') }));
  for (const p of pieces) sock.emit('data', p);
  return got;
}

describe('mux frames', () => {
  const frames = [
    frame(1, { v: 1, host_key: 'AAAA' }),
    frame(11, Buffer.alloc(0)),
    frame(11, Buffer.from('x')),
    frame(11, Buffer.alloc(70_000, 7)),
    frame(12),
    frame(2, Buffer.from('tail')),
  ];
  const all = Buffer.concat(frames);
  const whole = read([all]);

  it('reads whole frames from one piece', () => {
    expect(whole.map((f) => f.type)).toEqual([1, 11, 11, 11, 12, 2]);
    expect(Buffer.from(whole[3]!.body, 'hex').length).toBe(70_000);
  });

  it('reads the same frames whatever the pieces: single bytes, odd sizes, splits inside a header', () => {
    const cut = (size: (i: number) => number): Buffer[] => {
      const out: Buffer[] = [];
      for (let at = 0, i = 0; at < all.length; i++) {
        const n = Math.max(1, size(i));
        out.push(all.subarray(at, at + n));
        at += n;
      }
      return out;
    };
    expect(read(cut(() => 1))).toEqual(whole);
    expect(read(cut(() => 3))).toEqual(whole);
    expect(read(cut((i) => (i % 2 ? 2 : 65_536)))).toEqual(whole);
    expect(read(cut((i) => 1 + ((i * 7919) % 9000)))).toEqual(whole);
  });

  it('a frame over the bound destroys the socket', () => {
    const sock = new PassThrough();
    let errored = '';
    sock.on('error', (e) => (errored = e.message));
    readFrames(sock as unknown as Socket, () => undefined);
    const head = Buffer.alloc(5);
    head.writeUInt8(2, 0);
    head.writeUInt32BE(64 * 1024 * 1024, 1);
    sock.emit('data', head);
    expect(sock.destroyed).toBe(true);
    return new Promise<void>((r) => setImmediate(() => (expect(errored).toMatch(/over the bound/), r())));
  });
});
