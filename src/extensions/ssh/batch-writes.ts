import type { Socket } from 'node:net';

/**
 * Join the writes made to `sock` in one tick into one writev. ssh2 writes every SSH packet as three pieces
 * (length, body, MAC) and, with Nagle off (connectOnce), each piece left as a TCP segment of its own: for a
 * 50 MB upload ~4,800 writes and segments where ~1,600 packets suffice, the most CPU of a bulk copy (#13).
 * Corked until the next tick, a tick's packets leave in one syscall; nothing waits longer than that tick.
 */
export function batchWrites(sock: Socket): void {
  const write = sock.write.bind(sock) as (...args: unknown[]) => boolean;
  let corked = false;
  sock.write = ((...args: unknown[]) => {
    if (!corked) {
      corked = true;
      sock.cork();
      process.nextTick(() => {
        corked = false;
        sock.uncork();
      });
    }
    return write(...args);
  }) as Socket['write'];
}
