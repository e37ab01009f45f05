import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A backend that never answers: an HTTP proxy to `target` that accepts the requests `hang` picks and never
 * responds to them (the socket stays open, as with a stalled load balancer); everything else is forwarded.
 * Listens on 127.0.0.1 only. `stop()` destroys the held sockets.
 */
export class HangingProxy {
  private server: Server | undefined;
  private url_ = '';
  private readonly held = new Set<ServerResponse>();
  private waiters: (() => void)[] = [];
  /** Requests held so far (method and path). */
  readonly hung: string[] = [];

  constructor(
    private readonly target: string,
    private readonly hang: (method: string, path: string) => boolean,
  ) {}

  get url(): string {
    return this.url_;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url_ = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Resolves once a request is being held. */
  whenHung(): Promise<void> {
    if (this.hung.length > 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const res of this.held) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (this.hang(method, path)) {
      req.resume();
      this.held.add(res);
      this.hung.push(`${method} ${path}`);
      for (const w of this.waiters.splice(0)) w();
      return;
    }
    const upstream = request(
      `${this.target}${req.url ?? '/'}`,
      { method, headers: { ...req.headers, host: new URL(this.target).host } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }
}
