/**
 * The SQLite writer thread. With `writer: 'thread'` (what `npm start` uses for a data file), every
 * write of the SQLite store runs here, on a connection of its own, so the fsync of a group commit
 * and the statements of the batches never block the HTTP event loop. Reads stay on the main
 * thread's connection: WAL lets them run while this thread writes, and a reply is sent only after
 * its COMMIT returned, so the main thread reads what it was told is written.
 *
 * It is an ordinary inline SqliteStore: the commits that arrive together (one burst of messages)
 * are group-committed by it exactly as they would be on the main thread. Protocol (writer-thread.ts):
 * {id, method, args} in, {id, value} or {id, error} out; `close` flushes what is queued and closes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteStore, type SqliteOptions } from './sqlite-store.js';
import { serializeError, writeMethods, type WriterReply, type WriterRequest } from './writer-thread.js';

if (parentPort) {
  const port = parentPort;
  const store = new SqliteStore({ ...(workerData as SqliteOptions), writer: 'inline' });
  const allowed = new Set<string>(writeMethods);
  const reply = (id: number, work: Promise<unknown>) =>
    work.then(
      (value) => port.postMessage({ id, value } satisfies WriterReply),
      (error) => port.postMessage({ id, error: serializeError(error) } satisfies WriterReply),
    );
  port.on('message', (request: WriterRequest) => {
    if (request.method === 'close') return void reply(request.id, store.close());
    if (!allowed.has(request.method)) return void reply(request.id, Promise.reject(new Error(`not a write method: ${request.method}`)));
    const method = store[request.method] as (...args: unknown[]) => Promise<unknown>;
    void reply(request.id, method.apply(store, request.args));
  });
}
