import type { Socket } from 'node:net';

/**
 * The mux agent's wire format on its unix socket: one byte of frame type, a u32 big-endian length, the payload.
 * One remote command per client connection: the agent says HELLO (the host key its SSH connection verified),
 * the client checks that key itself, then sends EXEC and its stdin; the agent streams the command's output and
 * ends with EXIT (or ERROR).
 */
export const Frame = {
  /** agent → client, JSON {v, host_key (base64 blob)} */
  hello: 1,
  stdout: 2,
  stderr: 3,
  /** agent → client, JSON {code, signal?} */
  exit: 4,
  /** agent → client, JSON {message, retryable} */
  error: 5,
  /** agent → client, JSON {bytes, done}: how much of a local tar (EXEC's local_tar) it has sent */
  sent: 6,
  /** client → agent, JSON {command, stdin, local_tar?}: local_tar = the agent runs that tar as the stdin */
  exec: 10,
  stdin: 11,
  stdinEnd: 12,
  /** client → agent: close the channel (a cancel) */
  close: 13,
  /** client → agent: stop serving and exit (its connection is no longer wanted) */
  quit: 14,
} as const;

/** 2: EXEC's local_tar and SENT (an agent of protocol 1 would ignore local_tar and send no stdin). */
export const MUX_PROTOCOL = 2;
/** Frames larger than this are refused (a peer that is not ours, or a corrupt stream). */
const MAX_FRAME = 4 * 1024 * 1024;

export function frame(type: number, payload: Buffer | string | object = Buffer.alloc(0)): Buffer {
  const body = Buffer.isBuffer(payload)
    ? payload
    : Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
  const head = Buffer.allocUnsafe(5);
  head.writeUInt8(type, 0);
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

/** Write one frame of bulk data without copying it into a new buffer (header and body in one writev). */
export function writeFrame(sock: Socket, type: number, body: Buffer): boolean {
  const head = Buffer.allocUnsafe(5);
  head.writeUInt8(type, 0);
  head.writeUInt32BE(body.length, 1);
  sock.cork();
  sock.write(head);
  const ok = sock.write(body);
  sock.uncork();
  return ok;
}

/**
 * Calls onFrame for each whole frame read from sock; a frame over the bound destroys the socket. Pieces of a
 * frame are kept as they arrive and joined once when it is whole (joining at every piece copied a 1 MB frame
 * read in 64 KB pieces sixteen times: most of a bulk copy's CPU in the agent, #13); a frame inside one piece
 * is handed over without a copy.
 */
export function readFrames(sock: Socket, onFrame: (type: number, body: Buffer) => void): void {
  let pieces: Buffer[] = [];
  let have = 0;
  /** The first `n` bytes of what is buffered, as one buffer (a copy only when they span pieces). */
  const front = (n: number): Buffer => {
    if (pieces[0]!.length < n) pieces = [Buffer.concat(pieces)];
    return pieces[0]!;
  };
  sock.on('data', (d: Buffer) => {
    pieces.push(d);
    have += d.length;
    while (have >= 5) {
      const head = front(5);
      const len = head.readUInt32BE(1);
      if (len > MAX_FRAME) {
        sock.destroy(new Error(`mux frame of ${len} bytes is over the bound`));
        return;
      }
      if (have < 5 + len) break;
      const whole = front(5 + len);
      const type = whole.readUInt8(0);
      const body = whole.subarray(5, 5 + len);
      const rest = whole.subarray(5 + len);
      pieces = rest.length ? [rest, ...pieces.slice(1)] : pieces.slice(1);
      have -= 5 + len;
      onFrame(type, body);
      if (sock.destroyed) return;
    }
  });
}

export const json = <T>(body: Buffer): T => JSON.parse(body.toString('utf8')) as T;
