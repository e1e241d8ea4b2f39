/** `npm run docs`: writes docs/state-machines.md and docs/openapi.json. */
import { readFileSync, writeFileSync } from 'node:fs';
import { loadConfig } from '../src/config/config.js';
import { generatedDocs, renderOpenApi, renderStateMachines } from '../src/docs/render-docs.js';
import { createKassa } from '../src/kassa.js';
import { merchantRoleDoc, renderMerchantRoleDoc } from '../src/docs/merchant-docs.js';

const kassa = await createKassa(loadConfig({ DATABASE_URL: 'sqlite::memory:', KASSA_LOG_LEVEL: 'silent' }, process.cwd()));
await kassa.app.ready();
writeFileSync(generatedDocs.stateMachines, renderStateMachines());
writeFileSync(generatedDocs.openapi, renderOpenApi(kassa.app.swagger()));
writeFileSync(merchantRoleDoc, renderMerchantRoleDoc(readFileSync(merchantRoleDoc, 'utf8')));
await kassa.close();
process.stdout.write(`wrote ${Object.values(generatedDocs).join(', ')}\n`);
