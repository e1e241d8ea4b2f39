/**
 * `npx kassa accounts create|list` against a SQLite file, also while a sole Kassa process holds the
 * file for its writes (src/store/sqlite/exclusive-lock.ts).
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'kassa-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
/** The CLI's command line and environment for a database file of this folder. */
const cli = (file: string, args: string[]) => [process.execPath, ['bin/kassa.js', ...args], { env: { PATH: process.env.PATH ?? '', DATABASE_URL: `sqlite:${join(dir, file)}` }, encoding: 'utf8' as const }] as const;
const run = (...args: string[]) => execFileSync(...cli('k.db', args));

describe('kassa accounts', () => {
  it('creates accounts (printing the password once) and lists them without secrets', () => {
    const created = JSON.parse(run('accounts', 'create', '--username', 'shop-a', '--password', 'a-long-password', '--json'));
    expect(created).toMatchObject({ username: 'shop-a', password: 'a-long-password' });
    const generated = JSON.parse(run('accounts', 'create', '--json'));
    expect(generated.password.length).toBeGreaterThanOrEqual(24);
    const listed = JSON.parse(run('accounts', 'list', '--json'));
    expect(listed.map((a: any) => a.username)).toEqual(['shop-a', generated.username]);
    expect(JSON.stringify(listed)).not.toContain('a-long-password');
    expect(() => run('accounts', 'create', '--username', 'shop-a')).toThrow();
  });
});

describe('kassa accounts next to a Kassa holding the file', () => {
  const path = join(dir, 'served.db');
  /** The CLI without blocking this process's event loop, where the holding store's timers run. */
  const runAsync = (...args: string[]) => promisify(execFile)(...cli('served.db', args));
  const aggregate = (expectedVersion: number) => ({ aggregates: [{ accountId: 'krn:partner:global:account:test:CLI00001', type: 'order', id: 'o1', expectedVersion, state: { n: expectedVersion }, now: 1 }] });

  it('gets in once the server is idle for sqliteExclusiveIdleMs', async () => {
    const server = new SqliteStore({ path, exclusive: true });
    try {
      await server.commit(aggregate(0));
      expect(server.exclusiveLock?.held).toBe(true);
      const { stdout } = await runAsync('accounts', 'create', '--username', 'while-served', '--json');
      expect(JSON.parse(stdout)).toMatchObject({ username: 'while-served' });
    } finally {
      await server.close();
    }
  });

  it('says why when the server holds the file for longer than its busy timeout', async () => {
    const server = new SqliteStore({ path, exclusive: true });
    await server.commit(aggregate(1));
    server.exclusiveLock!.stop(); // as if commits kept coming: the file is never let go
    try {
      const failed = await runAsync('accounts', 'list').then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
      expect(failed?.code).toBe(1);
      expect(failed?.stderr).toMatch(/^kassa: the database stayed busy: a running Kassa holds its SQLite file while it writes/);
    } finally {
      await server.close();
    }
  }, 20_000);
});
