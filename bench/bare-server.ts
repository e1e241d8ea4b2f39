/**
 * The ceiling: a bare node:http server that reads a JSON body, parses it, and answers a small JSON
 * object. No framework, no validation, no storage. `npm run bench` measures it with the same load
 * generator and connection count as Kassa, on the same machine in the same run.
 * Usage: node --import tsx bench/bare-server.ts <port>   (prints "listening <port>" when ready)
 */
import { createServer } from 'node:http';

const port = Number(process.argv[2] ?? 0);

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let parsed: unknown = null;
    try {
      parsed = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : null;
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"error_code":"BAD_REQUEST"}');
      return;
    }
    const body = JSON.stringify({ ok: true, fields: parsed && typeof parsed === 'object' ? Object.keys(parsed).length : 0 });
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) }).end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
