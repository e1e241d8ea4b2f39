/**
 * Summarizes a V8 .cpuprofile (from `BENCH_CPU_PROF=1 npm run bench` or `node --cpu-prof`): the
 * functions and the files with the most self time, and the inclusive time of selected frames.
 * Usage: node --import tsx bench/profile-summary.ts <file.cpuprofile> [top=30] [frame names...]
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
  hitCount?: number;
}
const [file, topRaw, ...frames] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file!, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const top = Number(topRaw ?? 30);
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const self = new Map<number, number>();
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);

const short = (url: string) => url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/src\//, 'src/').replace(/^node:/, 'node:');
const label = (n: Node) => `${n.callFrame.functionName || '(anonymous)'} ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;

const byFn = new Map<string, number>();
const byFile = new Map<string, number>();
for (const [id, us] of self) {
  const n = byId.get(id)!;
  byFn.set(label(n), (byFn.get(label(n)) ?? 0) + us);
  const f = short(n.callFrame.url).replace(/^([^/]+\/)?([^/]+).*$/, (m) => (m.startsWith('src/') ? m : m.split('/').slice(0, 1).join('/'))) || n.callFrame.functionName;
  byFile.set(f, (byFile.get(f) ?? 0) + us);
}
console.log(`total sampled ${(total / 1e6).toFixed(2)} s`);
console.log('\nself time by function:');
for (const [k, v] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(v)}  ${k}`);
console.log('\nself time by package / file:');
for (const [k, v] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(v)}  ${k}`);

if (frames.length) {
  console.log('\ninclusive time of frames (by function name):');
  for (const name of frames) {
    let us = 0;
    for (const [id, t] of self) {
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
        if (byId.get(cur)!.callFrame.functionName === name) {
          us += t;
          break;
        }
      }
    }
    console.log(`${pct(us)}  ${name}`);
  }
}
