/** `npm run docs:v2`: regenerates the generated blocks of docs/payment-requests.md and docs/webhooks.md. */
import { updateV2Docs } from './v2-doc-blocks.js';

const changed = updateV2Docs(process.cwd());
process.stdout.write(changed.length ? `updated ${changed.join(', ')}\n` : 'v2 docs are up to date\n');
