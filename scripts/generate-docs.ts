/** `npm run docs`: writes docs/state-machines.md and docs/openapi.json, and re-renders generated blocks in markdown. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadConfig } from '../src/config/config.js';
import { filesWithBlocks, renderBlocks } from '../src/docs/generated-blocks.js';
import { generatedDocs, renderOpenApi, renderStateMachines } from '../src/docs/render-docs.js';
import { createKassa } from '../src/kassa.js';

const kassa = await createKassa(loadConfig({ DATABASE_URL: 'sqlite::memory:', KASSA_LOG_LEVEL: 'silent' }, process.cwd()));
await kassa.app.ready();
writeFileSync(generatedDocs.stateMachines, renderStateMachines());
writeFileSync(generatedDocs.openapi, renderOpenApi(kassa.app.swagger()));
await kassa.close();
for (const file of filesWithBlocks) if (existsSync(file)) writeFileSync(file, renderBlocks(readFileSync(file, 'utf8')));
process.stdout.write(`wrote ${Object.values(generatedDocs).join(', ')}\n`);
