/** docs/merchant-role.md carries the merchant diagrams and request statuses generated from the code (`npm run docs`). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { blockNames, filesWithBlocks, renderBlocks } from '../src/docs/generated-blocks.js';

describe('docs/merchant-role.md', () => {
  const doc = readFileSync('docs/merchant-role.md', 'utf8');

  it('is one of the files whose generated blocks the docs test checks, and carries every merchant block', () => {
    expect(filesWithBlocks).toContain('docs/merchant-role.md');
    expect(blockNames(doc)).toEqual(['merchant-machine', 'request-statuses', 'settlement-machine']);
    expect(renderBlocks(doc)).toBe(doc);
  });

  it('a stale diagram is noticed and re-rendered', () => {
    const stale = doc.replace('checkout --> checkout_failed: session_failed', 'checkout --> checkout_failed: failed');
    expect(stale).not.toBe(doc);
    expect(renderBlocks(stale)).toBe(doc);
  });
});
