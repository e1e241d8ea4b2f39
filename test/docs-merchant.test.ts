/** docs/merchant-role.md's generated blocks (diagrams, request statuses) must match the code: `npm run docs`. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { merchantDocBlocks, merchantRoleDoc, renderMerchantRoleDoc } from '../src/docs/merchant-docs.js';

describe('docs/merchant-role.md is up to date (npm run docs)', () => {
  const doc = readFileSync(merchantRoleDoc, 'utf8');

  it('has every generated block, as the code renders it', () => {
    expect(renderMerchantRoleDoc(doc)).toBe(doc);
  });

  it('would notice a stale diagram', () => {
    const stale = doc.replace('checkout --> checkout_failed: session_failed', 'checkout --> checkout_failed: failed');
    expect(stale).not.toBe(doc);
    expect(renderMerchantRoleDoc(stale)).toBe(doc);
    expect(Object.keys(merchantDocBlocks())).toEqual(['merchant-machine', 'settlement-machine', 'request-statuses']);
  });
});
