/**
 * Crash right after a commit: a child process group-commits to a SQLite file and prints an ack the
 * moment each commit promise resolves; it is killed with SIGKILL right after acknowledging. Every
 * acknowledged write must be there when the file is opened again.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

const here = dirname(fileURLToPath(import.meta.url));

it('keeps every acknowledged commit after a SIGKILL right after the ack', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-crash-'));
  const path = join(dir, 'kassa.db');
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'fixtures', 'commit-and-ack.ts'), path], { stdio: ['ignore', 'pipe', 'inherit'] });
  const acked: string[] = [];
  let buffered = '';
  const exit = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) if (line.startsWith('ack ')) acked.push(line.slice(4));
    // Kill in the middle of the stream: more commits are queued and in flight at this moment.
    if (acked.length >= 500 && !child.killed) child.kill('SIGKILL');
  });
  expect(await exit).toBe('SIGKILL');
  expect(acked.length).toBeGreaterThanOrEqual(500);

  const store = new SqliteStore({ path });
  const missing: string[] = [];
  for (const id of acked) if (!(await store.getAggregate('acc-a', 'item', id))) missing.push(id);
  expect(missing).toEqual([]);
  expect((await store.listEvents('acc-a', 'item', acked[acked.length - 1]!)).length).toBe(1);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});
