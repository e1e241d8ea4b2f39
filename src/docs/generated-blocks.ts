/**
 * Generated blocks inside hand-written markdown. A file holds
 *
 *     <!-- BEGIN GENERATED: order-machine -->
 *     …replaced by `npm run docs`…
 *     <!-- END GENERATED: order-machine -->
 *
 * and `renderBlocks` rewrites the inside of every such block from `generatedBlocks`, leaving the
 * prose around it alone. The docs test fails when a committed file differs from its rendering.
 * To add a block: add a renderer here and the markers to a file listed in `filesWithBlocks`.
 */
import { customerTokenMachine } from '../domain/customer-token/customer-token-machine.js';
import type { Machine } from '../domain/machine.js';
import { toMermaid } from '../domain/machine.js';
import { orderMachine } from '../domain/order/order-machine.js';
import { v2Blocks } from './v2-blocks.js';
import { merchantDocBlocks } from './merchant-docs.js';

/** Files that may carry generated blocks (a listed file that does not exist is skipped). */
export const filesWithBlocks = ['docs/order-management.md', 'README.md', 'docs/payment-requests.md', 'docs/webhooks.md', 'docs/merchant-role.md'] as const;

function machineSection(machine: Machine<string, string>): string {
  const rows = machine.transitions.map((t) => `| ${t.from} | ${t.event} | ${t.guard ?? ''} | ${t.to} |`);
  return [
    '```mermaid',
    toMermaid(machine).trimEnd(),
    '```',
    '',
    `Initial state: ${machine.initial}. Final states: ${machine.finals.join(', ')}.`,
    '',
    '| From | Event | Guard | To |',
    '|---|---|---|---|',
    ...rows,
  ].join('\n');
}

export const generatedBlocks: Record<string, () => string> = {
  'order-machine': () => machineSection(orderMachine),
  'order-machine-diagram': () => ['```mermaid', toMermaid(orderMachine).trimEnd(), '```'].join('\n'),
  'customer-token-machine': () => machineSection(customerTokenMachine),
  ...v2Blocks,
  ...merchantDocBlocks,
};

const blockPattern = /(<!-- BEGIN GENERATED: ([\w-]+) -->\n)([\s\S]*?)(<!-- END GENERATED: \2 -->)/g;

/** The text with every generated block re-rendered. Unknown block names are an error. */
export function renderBlocks(text: string): string {
  return text.replace(blockPattern, (_all, begin: string, name: string, _inside: string, end: string) => {
    const render = generatedBlocks[name];
    if (!render) throw new Error(`unknown generated block "${name}" (known: ${Object.keys(generatedBlocks).join(', ')})`);
    return `${begin}${render()}\n${end}`;
  });
}

/** Names of the generated blocks a text contains. */
export function blockNames(text: string): string[] {
  return [...text.matchAll(blockPattern)].map((m) => m[2]!);
}
