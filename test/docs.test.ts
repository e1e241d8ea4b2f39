/** The generated docs must match the code: run `npm run docs` after changing a machine or a route. */
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockNames, filesWithBlocks, renderBlocks } from '../src/docs/generated-blocks.js';
import { generatedDocs, renderOpenApi, renderStateMachines } from '../src/docs/render-docs.js';
import { startTestKassa, type TestKassa } from './support/harness.js';

describe('generated docs are up to date (npm run docs)', () => {
  let t: TestKassa;
  beforeAll(async () => (t = await startTestKassa()));
  afterAll(async () => t.close());

  it('docs/state-machines.md', () => {
    expect(readFileSync(generatedDocs.stateMachines, 'utf8')).toBe(renderStateMachines());
  });

  it('docs/openapi.json', () => {
    expect(readFileSync(generatedDocs.openapi, 'utf8')).toBe(renderOpenApi(t.kassa.app.swagger()));
  });

  for (const file of filesWithBlocks) {
    it.runIf(existsSync(file))(`generated blocks in ${file}`, () => {
      const text = readFileSync(file, 'utf8');
      expect(text).toBe(renderBlocks(text));
    });
  }

  it('docs/order-management.md carries the order machine generated from its table', () => {
    expect(blockNames(readFileSync('docs/order-management.md', 'utf8'))).toEqual(expect.arrayContaining(['order-machine', 'customer-token-machine']));
  });
});
