/**
 * Generated blocks of docs/payment-requests.md and docs/webhooks.md: the payment request machine
 * (Mermaid, from its transition table), its transition table, the webhook event types and the
 * retry schedule. Each block sits between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->`;
 * test/v2/docs.test.ts fails when one is stale, `npm run docs:v2` rewrites them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toMermaid } from '../../src/domain/machine.js';
import { eventTypeFor, paymentRequestMachine, stateReasonFor } from '../../src/domain/payment-request/payment-request-machine.js';
import { eventTypeSources, webhookEventTypes } from '../../src/domain/webhooks/event-types.js';
import { limits } from '../../src/domain/limits.js';
import { retryBaseMs, retryCapMs } from '../../src/outbox/retry-policy.js';

export interface DocBlock {
  file: string;
  name: string;
  render(): string;
}

const triggers: Record<string, string> = {
  update: 'partner: `PATCH …/payment/requests/{id}`',
  enter: 'customer opens `payment_request_url` (journey `enter`)',
  approve: 'customer approves in the journey',
  abort: 'customer cancels in the journey (`abort`)',
  decline: 'journey `decline` (Klarna declines)',
  cancel: 'partner: `DELETE …/payment/requests/{id}`',
  expire: 'deadline passes on the account clock (timer)',
};

function duration(ms: number): string {
  if (ms < 60_000) return `${ms / 1000} s`;
  if (ms < 3600_000) return `${ms / 60_000} min`;
  return `${ms / 3600_000} h`;
}

export const v2DocBlocks: DocBlock[] = [
  {
    file: 'docs/payment-requests.md',
    name: 'payment-request-machine',
    render: () => '```mermaid\n' + toMermaid(paymentRequestMachine) + '```\n',
  },
  {
    file: 'docs/payment-requests.md',
    name: 'payment-request-transitions',
    render: () =>
      [
        '| From | Event | Guard | To | `state_reason` | Webhook | Triggered by |',
        '|---|---|---|---|---|---|---|',
        ...paymentRequestMachine.transitions.map(
          (t) => `| ${t.from} | \`${t.event}\` | ${t.guard ?? ''} | ${t.to} | \`${stateReasonFor(t.event, t.to)}\` | \`${eventTypeFor(t.event, t.to)}\` | ${triggers[t.event]} |`,
        ),
      ].join('\n') + '\n',
  },
  {
    file: 'docs/webhooks.md',
    name: 'webhook-event-types',
    render: () => ['| Event type | Emitted when |', '|---|---|', ...webhookEventTypes.map((t) => `| \`${t}\` | ${eventTypeSources[t]} |`)].join('\n') + '\n',
  },
  {
    file: 'docs/webhooks.md',
    name: 'retry-schedule',
    render: () => {
      const rows = ['| Attempt | Wait after the previous attempt (with jitter) |', '|---|---|', '| 1 | none: as soon as the event is committed |'];
      for (let n = 1; ; n++) {
        const wait = Math.min(retryBaseMs * 2 ** (n - 1), retryCapMs);
        if (n > 9) {
          rows.push(`| ${n + 1} and later | ${duration(retryCapMs / 2)} – ${duration(retryCapMs)} each |`);
          break;
        }
        rows.push(`| ${n + 1} | ${duration(wait / 2)} – ${duration(wait)} |`);
      }
      rows.push('', `Attempts stop once the next one would fall more than ${duration(limits.webhookRetryWindowMs)} after the event was created; the delivery is then \`FAILED\`.`);
      return rows.join('\n') + '\n';
    },
  },
];

const open = (name: string) => `<!-- generated:${name} -->`;
const close = (name: string) => `<!-- /generated:${name} -->`;

export function extractBlock(markdown: string, name: string): string | undefined {
  const start = markdown.indexOf(open(name));
  const end = markdown.indexOf(close(name));
  if (start < 0 || end < start) return undefined;
  return markdown.slice(start + open(name).length + 1, end);
}

export function replaceBlock(markdown: string, name: string, content: string): string {
  const start = markdown.indexOf(open(name));
  const end = markdown.indexOf(close(name));
  if (start < 0 || end < start) throw new Error(`block ${name} not found`);
  return markdown.slice(0, start + open(name).length) + '\n' + content + markdown.slice(end);
}

/** Rewrites every stale block; returns the files it changed. */
export function updateV2Docs(root: string): string[] {
  const changed = new Set<string>();
  for (const block of v2DocBlocks) {
    const path = join(root, block.file);
    const before = readFileSync(path, 'utf8');
    const after = replaceBlock(before, block.name, block.render());
    if (after !== before) {
      writeFileSync(path, after);
      changed.add(block.file);
    }
  }
  return [...changed];
}
