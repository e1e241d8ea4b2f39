/**
 * The generated parts of docs/payment-requests.md and docs/webhooks.md (machine diagram,
 * transition table, event types, retry schedule) must match the code. Fix with `npm run docs:v2`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extractBlock, v2DocBlocks } from '../../scripts/docs/v2-doc-blocks.js';

describe('v2 docs are generated from the code', () => {
  for (const block of v2DocBlocks) {
    it(`${block.file}: ${block.name} is up to date (npm run docs:v2)`, () => {
      const markdown = readFileSync(block.file, 'utf8');
      const current = extractBlock(markdown, block.name);
      expect(current, `missing <!-- generated:${block.name} --> block in ${block.file}`).toBeDefined();
      expect(current, `${block.file} is stale: run npm run docs:v2`).toBe(block.render());
    });
  }

  it('the diagram has every transition of the table', () => {
    const diagram = extractBlock(readFileSync('docs/payment-requests.md', 'utf8'), 'payment-request-machine')!;
    for (const state of ['SUBMITTED', 'IN_PROGRESS', 'COMPLETED', 'CANCELED', 'EXPIRED', 'DECLINED']) expect(diagram).toContain(state);
    expect(diagram.split('\n').filter((l) => l.includes('-->')).length).toBe(10 + 1 + 4);
  });
});
