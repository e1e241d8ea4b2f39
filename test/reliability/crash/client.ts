/**
 * The crash harness's HTTP client (node:http, keep-alive). A request that fails without a
 * response (the process was killed, the connection reset or refused) is "in doubt": it may or may
 * not have been committed. The harness resolves it after the restart by sending it again with the
 * same Klarna-Idempotency-Key, which must answer the first outcome or apply it now — never twice.
 *
 * With several Kassa nodes the client spreads its calls over them (round robin, as a load balancer
 * without stickiness would), so the retry of a request in doubt usually reaches another node.
 */
import http from 'node:http';

export interface Reply {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: any;
}

export class InDoubt extends Error {
  override name = 'InDoubt';
}

export interface CallOptions {
  body?: unknown;
  key?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export class Client {
  private agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  private readonly baseUrls: string[];
  private next = 0;
  /** The node each call went to last (for failure messages). */
  lastNode = 0;

  constructor(
    baseUrls: string | string[],
    readonly authorization: string,
  ) {
    this.baseUrls = typeof baseUrls === 'string' ? [baseUrls] : baseUrls;
  }

  get baseUrl(): string {
    return this.baseUrls[0]!;
  }

  /** Drops pooled connections (after a kill they point at a dead process). */
  reset(): void {
    this.agent.destroy();
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  }

  /** `node`: send to that node (index into the base URLs); otherwise the next one in turn. */
  call(method: string, path: string, options: CallOptions & { node?: number } = {}): Promise<Reply> {
    const node = options.node ?? this.next++ % this.baseUrls.length;
    this.lastNode = node;
    const headers: Record<string, string> = { authorization: this.authorization, ...options.headers };
    const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload.length);
    }
    if (options.key) headers['klarna-idempotency-key'] = options.key;
    const url = new URL(path, this.baseUrls[node]);
    return new Promise<Reply>((resolve, reject) => {
      const req = http.request(url, { method, headers, agent: this.agent, timeout: options.timeoutMs ?? 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => reject(new InDoubt(`${method} ${path}: ${e.message}`)));
        res.on('aborted', () => reject(new InDoubt(`${method} ${path}: response aborted`)));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const out: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
          let json: any;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: out, text, json });
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e) => reject(new InDoubt(`${method} ${path}: ${e.message}`)));
      if (payload) req.write(payload);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
