/**
 * docs/payment-requests.md and docs/webhooks.md carry the payment request machine (diagram and
 * table), the event types, the transaction states and the retry schedule generated from the code, and they are current
 * (`npm run docs` rewrites them; test/docs.test.ts checks every generated block too).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { blockNames, renderBlocks } from '../../src/docs/generated-blocks.js';

describe('v2 docs are generated from the code', () => {
  for (const [file, blocks] of [
    ['docs/payment-requests.md', ['payment-request-machine', 'payment-request-transitions']],
    ['docs/webhooks.md', ['webhook-event-types', 'payment-transaction-states', 'webhook-retry-schedule']],
  ] as const) {
    it(`${file} carries ${blocks.join(', ')} and is up to date (npm run docs)`, () => {
      const text = readFileSync(file, 'utf8');
      expect(blockNames(text)).toEqual([...blocks]);
      expect(text, `${file} is stale: run npm run docs`).toBe(renderBlocks(text));
    });
  }

  it('the diagram draws every transition of the table and the four final states', () => {
    const text = readFileSync('docs/payment-requests.md', 'utf8');
    const diagram = text.slice(text.indexOf('stateDiagram-v2'), text.indexOf('<!-- END GENERATED: payment-request-machine -->'));
    expect(diagram.split('\n').filter((l) => l.includes('-->'))).toHaveLength(1 + 10 + 4);
  });
});
