/** `npx kassa accounts create|list` against a SQLite file. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'kassa-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const run = (...args: string[]) => execFileSync(process.execPath, ['bin/kassa.js', ...args], { env: { PATH: process.env.PATH ?? '', DATABASE_URL: `sqlite:${join(dir, 'k.db')}` }, encoding: 'utf8' });

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
