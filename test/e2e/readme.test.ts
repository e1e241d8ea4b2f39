/**
 * The README's curl walk-through works as written: its shell block is run with bash against a
 * Kassa process (the `npm start &` line is replaced by the process this test starts).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startKassaProcess, type KassaProcess } from '../support/process.js';

const dir = mkdtempSync(join(tmpdir(), 'kassa-readme-'));
let kassa: KassaProcess | undefined;
afterAll(async () => {
  await kassa?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function walkThrough(): string {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## A first purchase with curl'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('README has no curl walk-through block');
  return block;
}

it('README curl walk-through: session -> sandbox authorize -> order', async () => {
  const script = walkThrough();
  const credentials = /AUTH=(\S+)/.exec(script)?.[1];
  expect(credentials).toBeTruthy();
  kassa = await startKassaProcess({ DATABASE_URL: `sqlite:${join(dir, 'k.db')}`, KASSA_SANDBOX_MERCHANT: credentials! });
  const runnable = script
    .split('\n')
    .filter((line) => !/npm start &\s*$/.test(line))
    .join('\n')
    .replace(/export KASSA=\S+/, `export KASSA=${kassa.url}`);
  const out = execFileSync('bash', ['-euo', 'pipefail', '-c', runnable], { encoding: 'utf8' });
  const order = JSON.parse(out.trim().split('\n').pop()!);
  expect(order).toMatchObject({ fraud_status: 'ACCEPTED', authorized_payment_method: { type: 'direct_debit' } });
  expect(order.order_id).toMatch(/^[0-9a-f-]{36}$/);
});
