/**
 * A local webhook / callback receiver for the crash harness. It lives in the harness process, so
 * it outlives every Kassa kill and sees everything the outbox delivers across restarts.
 */
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  at: number;
}

export class Receiver {
  readonly received: Received[] = [];
  /** Kept as deliveries arrive: the harness asks about every outbox row after every kill. */
  private readonly receivedBodies = new Set<string>();
  /** When each body first arrived (ms): a delivery is judged by when it came, not when it is asked about. */
  readonly firstArrival = new Map<string, number>();
  private server?: Server;
  /** Status to answer (200 unless a test wants failures). */
  respond: (r: Received) => number = () => 200;

  /** 0: any free port (read back once listening). */
  constructor(public port = 0) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const r: Received = { path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
        this.received.push(r);
        this.receivedBodies.add(r.body);
        if (!this.firstArrival.has(r.body)) this.firstArrival.set(r.body, r.at);
        res.statusCode = this.respond(r);
        res.end();
      });
    });
    this.server.listen(this.port, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Bodies received so far (a delivery may arrive more than once: at-least-once). */
  bodies(): ReadonlySet<string> {
    return this.receivedBodies;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close').catch(() => undefined);
  }
}
