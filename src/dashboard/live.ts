/**
 * Live pages: a Server-Sent Events stream per open object page that says "changed" whenever the
 * object does. This process's commits are heard at once (Engine.onCommitted); commits made by
 * other nodes (PostgreSQL, KASSA_WORKERS > 1) are caught by polling the object's fingerprint
 * (its version and its deliveries' outcomes) every `livePollMs`. The page then fetches itself again
 * and swaps the changed sections (static/dashboard/dashboard.js). Streams end after
 * `liveStreamMs` (the browser reconnects) and when the server closes.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { dashboardLimits } from '../domain/limits.js';
import type { CommitBatch } from '../store/port.js';
import type { AppDeps } from '../http/deps.js';

/** The app's open streams, ended when the server closes (so it does not wait for browsers). */
export type OpenStreams = Set<() => void>;

export function closeAllStreams(open: OpenStreams): void {
  for (const end of [...open]) end();
}

export function touches(batch: CommitBatch, accountId: string, id: string): boolean {
  return (
    (batch.aggregates ?? []).some((a) => a.accountId === accountId && (a.id === id || a.id.startsWith(`${id}/`))) ||
    (batch.outbox ?? []).some((o) => o.accountId === accountId && o.ref === id)
  );
}

export async function liveStream(deps: AppDeps, open: OpenStreams, request: FastifyRequest, reply: FastifyReply, accountId: string, id: string, fingerprint: () => Promise<string>): Promise<void> {
  let last = await fingerprint();
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
    'Klarna-Correlation-Id': request.correlationId,
  });
  res.write(`retry: ${dashboardLimits.livePollMs}\n: live\n\n`);
  let checking = false;
  let again = false;
  const check = async (): Promise<void> => {
    if (checking) {
      again = true;
      return;
    }
    checking = true;
    try {
      do {
        again = false;
        const now = await fingerprint();
        if (now !== last) {
          last = now;
          res.write(`event: change\ndata: ${JSON.stringify({ at: Date.now() })}\n\n`);
        }
      } while (again);
    } catch (error) {
      request.log.warn({ err: error }, 'live fingerprint failed');
    } finally {
      checking = false;
    }
  };
  const unsubscribe = deps.engine.onCommitted((batch) => {
    if (touches(batch, accountId, id)) void check();
  });
  const poll = setInterval(() => void check(), dashboardLimits.livePollMs);
  const stop = setTimeout(() => end(), dashboardLimits.liveStreamMs);
  const end = () => {
    clearInterval(poll);
    clearTimeout(stop);
    unsubscribe();
    open.delete(end);
    if (!res.writableEnded) res.end();
  };
  open.add(end);
  request.raw.on('close', end);
}
