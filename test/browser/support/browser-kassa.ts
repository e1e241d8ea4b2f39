/**
 * A Kassa on a real socket plus a fresh Debian Chromium, for the browser tests.
 *
 * Kassa runs in-process (test harness: in-memory SQLite, manual clock) and listens on a free port
 * of the range reserved for these tests (46300–46399 by default; a test file may bring its own
 * range); KASSA_PUBLIC_URL names that port, because
 * Kassa puts it in the links it hands out (category images). Chromium is /usr/bin/chromium from the
 * Debian package `chromium`, launched headless with a throw-away profile. Every request the browser
 * makes to an origin other than Kassa's (or a test's fake merchant origin) is refused and recorded
 * in `problems`, with script errors, so a test fails if a page reaches for the network or breaks.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { demoShopCredentials } from '../../../src/web/demo/demo-merchant.js';
import { startTestKassa, type TestKassa } from '../../support/harness.js';
import { chromiumPath as chromiumPathFor } from '../../support/skip-notices.js';

export const chromiumPath = chromiumPathFor(process.env);
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface PortRange {
  first: number;
  last: number;
}

const defaultPortRange: PortRange = { first: 46300, last: 46399 };

export interface ApiResponse {
  status: number;
  body: any;
}

export interface BrowserKassa {
  t: TestKassa;
  url: string;
  context: BrowserContext;
  /** Requests the browser tried to send anywhere else, and script errors in pages: must stay empty. */
  problems: string[];
  /** Origins a test serves itself (fake merchant pages), allowed besides Kassa's. */
  allowOrigin(origin: string): void;
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
  /** Calls Kassa over the socket as the demo shop (HTTP Basic), like the shop's backend would. */
  api(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse>;
  close(): Promise<void>;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** Runs `start(port)` on free ports of the range until one works (test files run in parallel). */
async function inPortRange<T>(start: (port: number) => Promise<T>, portRange: PortRange = defaultPortRange): Promise<T> {
  const size = portRange.last - portRange.first + 1;
  const offset = (Number(process.env.VITEST_POOL_ID ?? process.pid) * 17 + Math.floor(Math.random() * size)) % size;
  for (let i = 0; i < size; i++) {
    const port = portRange.first + ((offset + i) % size);
    if (!(await portIsFree(port))) continue;
    try {
      return await start(port);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    }
  }
  throw new Error(`no free port in ${portRange.first}–${portRange.last}`);
}

function listenInRange(ports: PortRange): Promise<{ t: TestKassa; port: number }> {
  return inPortRange(async (port) => {
    const t = await startTestKassa({ env: { KASSA_PUBLIC_URL: `http://127.0.0.1:${port}` } });
    try {
      await t.kassa.app.listen({ port, host: '127.0.0.1' });
      return { t, port };
    } catch (error) {
      await t.close();
      throw error;
    }
  }, ports);
}

/**
 * A merchant's own site on another port (another origin) serving `html` at every path. It is a
 * real loopback server on purpose: Chromium's Local Network Access refuses scripts from 127.0.0.1
 * in a page that did not itself come from the local network.
 */
export function startMerchantSite(html: string, ports: PortRange = defaultPortRange): Promise<{ origin: string; close(): Promise<void> }> {
  return inPortRange(
    (port) =>
      new Promise((resolve, reject) => {
        const server: Server = createHttpServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html));
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () =>
          resolve({ origin: `http://127.0.0.1:${port}`, close: () => new Promise<void>((done) => server.close(() => done())) }),
        );
      }),
    ports,
  );
}

/**
 * A partner's return_url receiver on its own port (another origin): records the URL of every
 * request (path and query, as the browser sent them) and answers a small page.
 */
export function startReturnReceiver(ports: PortRange = defaultPortRange): Promise<{ origin: string; hits: URL[]; close(): Promise<void> }> {
  return inPortRange(
    (port) =>
      new Promise((resolve, reject) => {
        const origin = `http://127.0.0.1:${port}`;
        const hits: URL[] = [];
        const server: Server = createHttpServer((req, res) => {
          hits.push(new URL(req.url ?? '/', origin));
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>Partner</title><h1>Back at the partner</h1>');
        });
        server.once('error', reject);
        // close() also drops the browser's idle keep-alive connections, which would hold it open.
        const close = () => new Promise<void>((done) => (server.close(() => done()), server.closeAllConnections()));
        server.listen(port, '127.0.0.1', () => resolve({ origin, hits, close }));
      }),
    ports,
  );
}

export async function startBrowserKassa(options: { ports?: PortRange } = {}): Promise<BrowserKassa> {
  if (!existsSync(chromiumPath)) throw new Error(`No Chromium at ${chromiumPath}: install Debian's package (apt-get install -y chromium)`);
  const { t, port } = await listenInRange(options.ports ?? defaultPortRange);
  const url = `http://127.0.0.1:${port}`;
  const profile = mkdtempSync(join(tmpdir(), 'kassa-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: chromiumArgs,
    viewport: { width: 1280, height: 800 },
  });
  const allowed = new Set([url]);
  const problems: string[] = [];
  await context.route('**/*', async (route) => {
    const target = route.request().url();
    if (target.startsWith('data:') || allowed.has(new URL(target).origin)) return route.fallback();
    problems.push(`request to another origin: ${target}`);
    return route.abort('blockedbyclient');
  });
  const credentials = await demoShopCredentials(t.kassa.deps);
  const authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;

  return {
    t,
    url,
    context,
    problems,
    allowOrigin: (origin) => void allowed.add(origin),
    async newPage(viewport) {
      const page = await context.newPage();
      if (viewport) await page.setViewportSize(viewport);
      page.on('pageerror', (error) => problems.push(`script error: ${error.message}`));
      return page;
    },
    async api(method, path, body, headers = {}) {
      const res = await fetch(url + path, {
        method,
        headers: { ...headers, authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
      await t.close();
    },
  };
}
