import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the collector does with the next request; once the script is used up it answers normally. */
export type Fault =
  | { kind: 'error'; status: number }
  | { kind: 'retry-after'; seconds: number }
  | { kind: 'slow'; ms: number } // stores the record, answers late (the client has given up by then)
  | { kind: 'blackhole' }; // reads the request, never answers, stores nothing (lost in transit)

export interface Received {
  id: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
  answered: number | 'none';
  /** This request is the one that stored the record (its first arrival). */
  stored: boolean;
}

/**
 * A local usage collector on 127.0.0.1 that dedupes on the CloudEvents id the way OpenMeter/Lago do: the first
 * record with an id is stored (202), a repeat gets 409. Faults are scripted per request; `down()` closes the
 * port (connection refused) and `up()` reopens it on the same port.
 */
export class Collector {
  readonly stored = new Map<string, Record<string, unknown>>();
  readonly received: Received[] = [];
  readonly script: Fault[] = [];
  private server: Server | undefined;
  private port = 0;
  private waiters: (() => void)[] = [];

  get url(): string {
    return `http://127.0.0.1:${this.port}/v1/usage`;
  }

  async up(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async down(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** Resolves once `n` requests have arrived in total. */
  async waitForRequests(n: number): Promise<void> {
    while (this.received.length < n) await new Promise<void>((r) => this.waiters.push(r));
  }

  /** How many requests recorded each id as new: exactly-once means 1 for every id. */
  acceptedCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const r of this.received) if (r.stored) counts.set(r.id, (counts.get(r.id) ?? 0) + 1);
    return counts;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    const body = JSON.parse(text) as Record<string, unknown>;
    const id = String(body.id);
    const entry: Received = { id, headers: req.headers, body, answered: 'none', stored: false };
    this.received.push(entry);
    for (const w of this.waiters.splice(0)) w();
    const fault = this.script.shift();
    const answer = (status: number, headers: Record<string, string> = {}) => {
      entry.answered = status;
      if (!res.destroyed) res.writeHead(status, { 'content-type': 'application/json', ...headers }).end('{}');
    };
    if (fault?.kind === 'blackhole') return;
    if (fault?.kind === 'error') return answer(fault.status);
    if (fault?.kind === 'retry-after') return answer(429, { 'retry-after': String(fault.seconds) });
    const duplicate = this.stored.has(id);
    if (!duplicate) {
      this.stored.set(id, body);
      entry.stored = true;
    }
    if (fault?.kind === 'slow') await new Promise((r) => setTimeout(r, fault.ms));
    answer(duplicate ? 409 : 202);
  }
}
