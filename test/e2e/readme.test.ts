/**
 * The README's shell blocks work as written. Every ```sh block is taken from README.md itself (so
 * this fails when the README drifts) and must be classified below: the blocks that talk to a server
 * run with bash, in the README's order, against one Kassa process started as `npm start` starts it
 * (a block's `npm start &` line is that process); the others say why they are not run here. A new
 * block that is neither fails the test until it is classified.
 *
 * What the test changes before running a block, and only that: `export KASSA=…` points at the
 * process's port; `…` in `curl -u shop-b:…` is the password `npx kassa accounts create` printed
 * just before (the README says it is printed once); every `curl` gets --fail-with-body, so an HTTP
 * error fails the block; npx runs offline (the project's own bin, never the registry).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresAvailable, testDatabaseUrl } from '../support/postgres.js';
import { startKassaProcess, type KassaProcess } from '../support/process.js';

interface Block {
  heading: string;
  script: string;
}

/** Every ```sh block of the README, with the heading it sits under. */
function readmeBlocks(): Block[] {
  const readme = readFileSync('README.md', 'utf8');
  const blocks: Block[] = [];
  let heading = '';
  const lines = readme.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^#{1,4} /.test(line)) heading = line.replace(/^#+ /, '');
    if (line !== '```sh') continue;
    const end = lines.indexOf('```', i + 1);
    blocks.push({ heading, script: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return blocks;
}

type Kind = { run: 'against-kassa' } | { run: 'postgres-start' } | { notRun: string };

/** How each block is checked, by the heading it sits under. */
const classification: Record<string, Kind> = {
  Kassa: { notRun: 'the set-up itself: `npm test` is what runs this file, and every other block here runs against `npm start`' },
  'A first purchase with curl': { run: 'against-kassa' },
  'The merchant role': { run: 'against-kassa' },
  Accounts: { run: 'against-kassa' },
  'Running on PostgreSQL': { run: 'postgres-start' },
  'The test clock': { run: 'against-kassa' },
  'Operations: metrics and the requests log': { run: 'against-kassa' },
  Performance: { notRun: 'the benchmarks start their own servers and take minutes (docs/performance.md)' },
  Reliability: { notRun: 'the long runs take 20 minutes; their CI versions are test/reliability/crash.test.ts and fuzz.test.ts' },
};

const dir = mkdtempSync(join(tmpdir(), 'kassa-readme-'));
const database = `sqlite:${join(dir, 'k.db')}`;
let kassa: KassaProcess | undefined;
afterAll(async () => {
  await kassa?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs a block with bash -euo pipefail as a reader's shell would, after the README's set-up. */
function bash(script: string, env: Record<string, string>): string {
  const prelude = 'curl() { command curl --fail-with-body "$@"; }\n';
  return execFileSync('bash', ['-euo', 'pipefail', '-c', prelude + script], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', npm_config_offline: 'true', npm_config_update_notifier: 'false', ...env },
    timeout: 60_000,
    // stderr (curl's progress meter) is kept with the error when a block fails, not printed.
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

const blocks = readmeBlocks();

it('every shell block of the README is classified: run here, or why not', () => {
  expect(blocks.length).toBeGreaterThan(5);
  const unclassified = blocks.filter((b) => !classification[b.heading]).map((b) => `${b.heading}: ${b.script.split('\n')[0]}`);
  expect(unclassified, 'add the block to `classification` in this file').toEqual([]);
  expect(new Set(blocks.map((b) => b.heading)).size, 'one block per heading').toBe(blocks.length);
});

describe('the blocks that talk to a server, in README order, against one Kassa process', () => {
  const walkThrough = blocks.find((b) => b.heading === 'A first purchase with curl')!;
  const credentials = /AUTH=(\S+)/.exec(walkThrough.script)?.[1] ?? '';
  const env = () => ({ KASSA: kassa!.url, AUTH: credentials, DATABASE_URL: database });

  it('A first purchase with curl: session -> sandbox authorize -> order', async () => {
    expect(credentials).toMatch(/^[^:]+:.+$/);
    expect(walkThrough.script).toMatch(/KASSA_SANDBOX_MERCHANT=\$AUTH npm start &/);
    kassa = await startKassaProcess({ DATABASE_URL: database, KASSA_SANDBOX_MERCHANT: credentials });
    const runnable = walkThrough.script
      .split('\n')
      .filter((line) => !/npm start &\s*$/.test(line))
      .join('\n')
      .replace(/export KASSA=\S+/, `export KASSA=${kassa.url}`);
    const out = bash(runnable, {});
    const order = JSON.parse(out.trim().split('\n').pop()!);
    expect(order).toMatchObject({ fraud_status: 'ACCEPTED', authorized_payment_method: { type: 'direct_debit' } });
    expect(order.order_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('The merchant role: point the merchant role at another provider', () => {
    const out = bash(blocks.find((b) => b.heading === 'The merchant role')!.script, env());
    expect(JSON.parse(out)).toMatchObject({ base_url: 'https://api.playground.klarna.com', source: 'configured' });
    expect(out).not.toContain('"password"');
  });

  it('Accounts: create with the CLI, list, and call with the printed password', () => {
    const script = blocks.find((b) => b.heading === 'Accounts')!.script;
    const [create, ...rest] = script.split('\n');
    const created = bash(create!, env());
    const password = /password:\s+(\S+)/.exec(created)?.[1];
    expect(password, created).toBeTruthy();
    expect(rest.join('\n')).toContain('shop-b:…');
    const out = bash(rest.join('\n').replace('shop-b:…', `shop-b:${password}`), env());
    expect(out).toMatch(/shop-b/);
    expect(JSON.parse(out.slice(out.lastIndexOf('{"')))).toMatchObject({ account_id: expect.stringMatching(/^krn:partner:global:account:test:/), username: 'shop-b' });
  });

  it('The test clock: read it, move it two days', () => {
    // curl prints each answer without a newline: two JSON objects back to back.
    const out = bash(blocks.find((b) => b.heading === 'The test clock')!.script, env()).trim().replace(/}\s*{/g, '}\n{').split('\n');
    expect(out).toHaveLength(2);
    const [before, after] = out.map((line) => JSON.parse(line));
    expect(Date.parse(after.now) - Date.parse(before.now)).toBeGreaterThanOrEqual(172_800_000);
  });
});

describe('Operations', () => {
  it('Operations: metrics and the requests log — /metrics counts the requests made above', () => {
    const out = bash(blocks.find((b) => b.heading === 'Operations: metrics and the requests log')!.script, { KASSA: kassa!.url });
    expect(out).toMatch(/^kassa_http_request_duration_seconds_count\{.*\} [1-9]/m);
  });
});

describe('Running on PostgreSQL', () => {
  it('creates the database once and starts on it', async () => {
    if (!(await postgresAvailable())) return;
    const block = blocks.find((b) => b.heading === 'Running on PostgreSQL')!.script;
    const url = /DATABASE_URL=(\S+) npm start/.exec(block)?.[1];
    expect(url, block).toBeTruthy();
    // The README's database name, made unique so parallel runs never share (or drop) one.
    const name = new URL(url!).pathname.slice(1);
    const own = `${name}_readme_${process.pid}_${Date.now().toString(36)}`;
    const server = new URL(testDatabaseUrl);
    const admin = new pg.Client({ connectionString: testDatabaseUrl });
    await admin.connect();
    let started: KassaProcess | undefined;
    try {
      const create = block.split('\n').filter((line) => !/npm start/.test(line)).join('\n').replaceAll(` ${name} `, ` ${own} `).replace(new RegExp(` ${name}$`, 'm'), ` ${own}`);
      expect(create).toContain(own);
      bash(create, { PGHOST: server.hostname, PGPORT: server.port || '5432' });
      const target = new URL(url!);
      target.pathname = `/${own}`;
      started = await startKassaProcess({ DATABASE_URL: target.toString(), KASSA_SANDBOX_MERCHANT: credentialsOf(blocks) });
      const health = await (await fetch(`${started.url}/healthz`)).json();
      expect(health).toMatchObject({ status: 'ok', store: 'postgres' });
    } finally {
      await started?.stop();
      await admin.query(`DROP DATABASE IF EXISTS "${own}"`);
      await admin.end();
    }
  });
});

function credentialsOf(all: Block[]): string {
  return /AUTH=(\S+)/.exec(all.find((b) => b.heading === 'A first purchase with curl')!.script)?.[1] ?? '';
}
