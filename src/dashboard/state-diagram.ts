/**
 * An object's state machine, drawn on the server from its transition table (the same table the
 * Mermaid diagrams in docs/state-machines.md come from): an inline SVG with the states in columns
 * by their distance from the initial state, every transition an arrow (named in a <title> for
 * pointer users), the current state filled and the transitions out of it emphasised. Beside it an
 * HTML list says the same in words, for screen readers and for anyone who prefers text.
 */
import { isFinal, type Machine } from '../domain/machine.js';
import { escapeHtml, html, raw, type Html } from './html.js';

const boxHeight = 30;
const rowGap = 14;
const colGap = 56;
const charWidth = 7.4;
const pad = 16;

interface Box {
  state: string;
  x: number;
  y: number;
  w: number;
}

/**
 * Columns by longest path from the initial state over the table without its back edges (found by
 * a depth-first walk), so a forward chain reads left to right and loops do not stack states.
 */
function layers(machine: Machine<string, string>): string[][] {
  const out = new Map<string, string[]>(machine.states.map((s) => [s, []]));
  for (const t of machine.transitions) if (t.from !== t.to && !out.get(t.from)!.includes(t.to)) out.get(t.from)!.push(t.to);
  const back = new Set<string>();
  const onStack = new Set<string>();
  const done = new Set<string>();
  const walk = (s: string): void => {
    onStack.add(s);
    for (const next of out.get(s)!) {
      if (onStack.has(next)) back.add(`${s}>${next}`);
      else if (!done.has(next)) walk(next);
    }
    onStack.delete(s);
    done.add(s);
  };
  walk(machine.initial);
  for (const s of machine.states) if (!done.has(s)) walk(s);
  const depth = new Map<string, number>(machine.states.map((s) => [s, 0]));
  // Longest path on the DAG: relax edges |states| times (tables are small).
  for (let i = 0; i < machine.states.length; i++) {
    for (const [from, tos] of out) for (const to of tos) if (!back.has(`${from}>${to}`) && depth.get(to)! < depth.get(from)! + 1) depth.set(to, depth.get(from)! + 1);
  }
  const columns: string[][] = [];
  for (const s of machine.states) (columns[depth.get(s)!] ??= []).push(s);
  if (columns.length <= maxColumns) return columns.filter(Boolean);
  // A long table (the merchant order) would be a thin ribbon: columns by distance instead.
  const distance = new Map<string, number>([[machine.initial, 0]]);
  const queue = [machine.initial];
  while (queue.length) {
    const s = queue.shift()!;
    for (const next of out.get(s)!) if (!distance.has(next)) (distance.set(next, distance.get(s)! + 1), queue.push(next));
  }
  let last = Math.max(...distance.values());
  for (const s of machine.states) if (!distance.has(s)) distance.set(s, ++last);
  const byDistance: string[][] = [];
  for (const s of machine.states) (byDistance[distance.get(s)!] ??= []).push(s);
  return byDistance.filter(Boolean);
}

const maxColumns = 7;

export function stateDiagram(machine: Machine<string, string>, current: string, label: string): Html {
  const columns = layers(machine);
  const boxes = new Map<string, Box>();
  let x = pad;
  for (const column of columns) {
    const w = Math.max(...column.map((s) => s.length * charWidth + 24));
    column.forEach((state, i) => boxes.set(state, { state, x, y: pad + i * (boxHeight + rowGap), w }));
    x += w + colGap;
  }
  const width = x - colGap + pad;
  const rows = Math.max(...columns.map((c) => c.length));
  const height = pad * 2 + rows * (boxHeight + rowGap) - rowGap + 40;

  const edges: string[] = [];
  const seen = new Set<string>();
  for (const t of machine.transitions) {
    if (t.from === t.to) continue;
    const key = `${t.from}>${t.to}`;
    const names = machine.transitions.filter((u) => u.from === t.from && u.to === t.to).map((u) => (u.guard ? `${u.event} [${u.guard}]` : u.event));
    if (seen.has(key)) continue;
    seen.add(key);
    const a = boxes.get(t.from)!;
    const b = boxes.get(t.to)!;
    const hot = t.from === current;
    let d: string;
    if (b.x > a.x) {
      const x1 = a.x + a.w;
      const y1 = a.y + boxHeight / 2;
      const x2 = b.x;
      const y2 = b.y + boxHeight / 2;
      d = `M${x1},${y1} C${x1 + colGap / 2},${y1} ${x2 - colGap / 2},${y2} ${x2 - 2},${y2}`;
    } else if (b.x === a.x) {
      // Same column: an arc out of the right-hand side.
      const x1 = a.x + a.w;
      const y1 = a.y + boxHeight / 2 + (b.y > a.y ? 4 : -4);
      const x2 = b.x + b.w + 2;
      const y2 = b.y + boxHeight / 2 + (b.y > a.y ? -4 : 4);
      const bulge = x1 + Math.min(colGap - 10, 18 + Math.abs(b.y - a.y) / 4);
      d = `M${x1},${y1} C${bulge},${y1} ${bulge},${y2} ${x2},${y2}`;
    } else {
      // Back edge: bow below both boxes.
      const x1 = a.x + a.w / 2;
      const y1 = a.y + boxHeight;
      const x2 = b.x + b.w / 2 + 6;
      const y2 = b.y + boxHeight + 2;
      const low = Math.max(y1, y2) + 26;
      d = `M${x1},${y1} C${x1},${low} ${x2},${low} ${x2},${y2}`;
    }
    edges.push(
      `<path class="edge${hot ? ' edge-hot' : ''}${b.x < a.x ? ' edge-back' : ''}" d="${d}" marker-end="url(#arrow${hot ? '-hot' : ''})"><title>${escapeHtml(`${t.from} → ${t.to}: ${names.join(', ')}`)}</title></path>`,
    );
  }
  const nodes = [...boxes.values()].map((b) => {
    const cls = ['node', b.state === current ? 'node-current' : '', isFinal(machine, b.state) ? 'node-final' : ''].filter(Boolean).join(' ');
    return `<g class="${cls}"><rect x="${b.x}" y="${b.y}" width="${b.w}" height="${boxHeight}" rx="8"/><text x="${b.x + b.w / 2}" y="${b.y + boxHeight / 2 + 4}" text-anchor="middle">${escapeHtml(b.state)}</text></g>`;
  });
  const init = boxes.get(machine.initial)!;
  const svg = `<svg class="machine" viewBox="0 0 ${Math.ceil(width)} ${Math.ceil(height)}" width="${Math.ceil(width)}" height="${Math.ceil(height)}" role="img" aria-label="${escapeHtml(label)}">
<defs>
<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrow"/></marker>
<marker id="arrow-hot" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrow-hot"/></marker>
</defs>
<circle class="start" cx="${init.x - 8}" cy="${init.y + boxHeight / 2}" r="4"/>
${edges.join('\n')}
${nodes.join('\n')}
</svg>`;

  const out = machine.transitions.filter((t) => t.from === current);
  return html`<figure class="machine-figure">
    <div class="machine-scroll">${raw(svg)}</div>
    <figcaption>
      <p>Current state: <strong class="current-state">${current}</strong>${isFinal(machine, current) ? ' (final: it never changes again)' : ''}.</p>
      ${
        out.length
          ? html`<p class="muted">From here:</p><ul class="next-states">${out.map((t) => html`<li><code>${t.event}</code>${t.guard ? html` <span class="muted">[${t.guard}]</span>` : ''} → ${t.to}</li>`)}</ul>`
          : ''
      }
    </figcaption>
  </figure>`;
}
