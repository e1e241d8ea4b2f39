/**
 * Where an operation's CPU goes, by stage of the request path: a V8 CPU profile of the main thread
 * (taken with node:inspector while the lifecycle runs, or read from a .cpuprofile file) whose
 * samples are attributed to stages by the frames on their stack. Sampling costs the code nothing:
 * no timer calls on the hot path, so the breakdown describes the code as shipped.
 *
 * A sample belongs to the first stage in `stages` one of whose frames is on its stack (so a
 * JSON.parse under a store read is "load", the account read under authentication is "auth", a
 * JSON.stringify under the group commit is "commit statements"). Garbage collection and idle time
 * have no stack; they are their own lines.
 */
import { Session, type Profiler } from 'node:inspector';

export interface StageFrame {
  functionName: string;
  url: string;
}

interface Stage {
  name: string;
  matches: (f: StageFrame) => boolean;
}

const file = (f: StageFrame, part: string) => f.url.includes(part);
const fn = (f: StageFrame, ...names: string[]) => names.includes(f.functionName);
const sqlite = (f: StageFrame) => file(f, '/src/store/sqlite/');

/** In order of precedence: the first stage with a frame on the sample's stack gets the sample. */
export const stages: Stage[] = [
  { name: 'log (pino, request line)', matches: (f) => file(f, '/pino/') || file(f, '/@pinojs/') || file(f, '/sonic-boom/') || file(f, '/pino-std-serializers/') },
  {
    name: 'requests log (entry, redaction, its inserts)',
    matches: (f) => file(f, '/src/http/request-log.ts') || file(f, '/src/http/redaction.ts') || file(f, '/src/http/redact-json-text.ts') || fn(f, 'appendRequestLog'),
  },
  { name: 'metrics (prom-client)', matches: (f) => file(f, '/prom-client/') || file(f, '/src/metrics/') },
  { name: 'auth (Basic credentials, account)', matches: (f) => fn(f, 'authenticate', 'authenticateCached', 'parseBasic') || file(f, '/src/app/accounts.ts') || file(f, '/src/http/auth') || file(f, '/src/app/credential-cache') },
  { name: 'commit statements (group commit)', matches: (f) => sqlite(f) && fn(f, 'flush', 'applyBatch', 'run') },
  { name: 'sync wait (WAL fdatasync, barrier)', matches: (f) => (sqlite(f) && fn(f, 'startSync', 'durable', 'durableBarrier', 'throwIfSyncFailed')) || fn(f, 'fdatasync') },
  { name: 'load (store reads, JSON.parse)', matches: (f) => sqlite(f) || file(f, '/src/store/') || (file(f, '/src/app/unit-of-work.ts') && fn(f, 'load', 'findByKey')) || file(f, '/better-sqlite3/') },
  {
    name: 'serialise (response bodies)',
    matches: (f) =>
      file(f, '/fast-json-stringify/') || (file(f, '/src/http/command.ts') && fn(f, 'serialize')) || (file(f, '/fastify/lib/reply') && fn(f, 'serialize')),
  },
  // Ids wherever they are made: request ids, requests-log entry ids, the command's object ids.
  { name: 'decide: ids (uuid, tokens, randomness)', matches: (f) => file(f, '/src/app/ids.ts') || file(f, '/src/app/ports.ts') || file(f, '/src/app/client-tokens.ts') },
  // Answering: Fastify's reply (headers, onSend hooks, node:http's write) is reached from inside
  // runCommand's send, but it is the framework's work, not the command's.
  { name: 'reply (fastify send, node:http write)', matches: (f) => file(f, '/fastify/lib/reply') || file(f, 'node:_http_') || (file(f, '/src/http/command.ts') && fn(f, 'send', 'replay')) },
  // The command, innermost part first: a copy made by a decide function is "domain", a write into
  // the unit of work made by an application command is "unit of work", and the engine is what is
  // left around the command (its loop, the batch, the commit call).
  { name: 'decide: domain (decide functions, copies)', matches: (f) => file(f, '/src/domain/') },
  { name: 'decide: unit of work (put, event, schedule)', matches: (f) => file(f, '/src/app/unit-of-work.ts') },
  { name: 'decide: app commands (src/app/*/)', matches: (f) => file(f, '/src/app/') && !file(f, '/src/app/engine.ts') },
  { name: 'decide: engine (execute, batch)', matches: (f) => file(f, '/src/app/engine.ts') },
  { name: 'decide: routes + runCommand', matches: (f) => file(f, '/src/http/routes/') || file(f, '/src/http/command.ts') },
  {
    name: 'routing + validation (parse, schemas)',
    matches: (f) =>
      file(f, '/find-my-way/') || file(f, '/ajv/') || file(f, '/secure-json-parse/') || file(f, 'content-type-parser') || file(f, '/fastify/lib/validation') || file(f, '/fastify/lib/route') || file(f, '/fast-uri/') || fn(f, 'nestingDepth') || /^validate\d+$/.test(f.functionName),
  },
  { name: 'bench harness (inject, client)', matches: (f) => file(f, '/light-my-request/') || file(f, '/bench/') },
  { name: 'framework, hooks, promises (rest)', matches: () => true },
];

const harness = stages.findIndex((s) => s.name.startsWith('bench harness'));

/**
 * The stage of a sample, from its frames (innermost first). Work done inside the harness
 * (light-my-request building the fake response, the client's parse) is the harness's even when a
 * route handler is further up the stack: judged by the innermost frame that has a source file.
 */
export function stageOfFrames(frames: StageFrame[]): number {
  const innermost = frames.find((f) => f.url !== '');
  if (innermost && stages[harness]!.matches(innermost)) return harness;
  return stages.findIndex((s) => frames.some(s.matches));
}
const gcName = '(garbage collector)';
const idleNames = new Set(['(idle)', '(program)']);

export interface Breakdown {
  /** Sampled time per stage (µs), in `stages` order, then GC. */
  rows: { name: string; us: number }[];
  busyUs: number;
  idleUs: number;
}

/** Attributes every sample of a V8 profile to a stage. */
export function breakdown(profile: Profiler.Profile): Breakdown {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stageById = new Map<number, number>();
  const classify = (id: number): number => {
    const known = stageById.get(id);
    if (known !== undefined) return known;
    const name = byId.get(id)!.callFrame.functionName;
    let stage: number;
    if (name === gcName) stage = stages.length;
    else if (idleNames.has(name) || name === '(root)') stage = -1;
    else {
      const frames: StageFrame[] = [];
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) frames.push(byId.get(cur)!.callFrame);
      stage = stageOfFrames(frames);
    }
    stageById.set(id, stage);
    return stage;
  };
  const us = new Array<number>(stages.length + 1).fill(0);
  let idleUs = 0;
  const deltas = profile.timeDeltas ?? [];
  (profile.samples ?? []).forEach((id, i) => {
    const d = deltas[i + 1] ?? 0; // a sample's delta is the time since the previous one: charge it to the previous sample's stack
    const stage = classify(id);
    if (stage < 0) idleUs += d;
    else us[stage]! += d;
  });
  const rows = [...stages.map((s, i) => ({ name: s.name, us: us[i]! })), { name: 'garbage collection', us: us[stages.length]! }];
  return { rows, busyUs: rows.reduce((a, r) => a + r.us, 0), idleUs };
}

/** Runs `work` under the inspector's sampling profiler and returns the profile. */
export async function profileWhile(work: () => Promise<void>, intervalUs = 200): Promise<Profiler.Profile> {
  const session = new Session();
  session.connect();
  const post = <T>(method: string, params?: object) =>
    new Promise<T>((resolve, reject) => session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result as T))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: intervalUs });
  await post('Profiler.start');
  let stopped: { profile: Profiler.Profile } | undefined;
  try {
    await work();
  } finally {
    stopped = await post<{ profile: Profiler.Profile }>('Profiler.stop');
    session.disconnect();
  }
  return stopped.profile;
}

/** The `count` functions with the most self time, with their stage, for digging into one stage. */
export function topFunctions(profile: Profiler.Profile, count: number): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  let total = 0;
  const deltas = profile.timeDeltas ?? [];
  (profile.samples ?? []).forEach((id, i) => {
    const d = deltas[i + 1] ?? 0;
    total += d;
    const frames: StageFrame[] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) frames.push(byId.get(cur)!.callFrame);
    const stage = stageLabel(stages[stageOfFrames(frames)]?.name ?? '-');
    const leaf = byId.get(id)!.callFrame;
    const key = `${stage.padEnd(16)} ${leaf.functionName || '(anonymous)'} ${leaf.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/src\//, 'src/')}:${leaf.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + d);
  });
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([k, us]) => `${((100 * us) / total).toFixed(1).padStart(5)} %  ${k}`);
}

/** A stage's short label for per-function listings: its name up to the parenthesis, shortened. */
export function stageLabel(name: string): string {
  return name.replace(/\s*\(.*$/, '').replace(/^decide: /, 'd:').slice(0, 16);
}
