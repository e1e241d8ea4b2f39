/**
 * The load generator: a process of its own (so it never shares an event loop with the server it
 * measures), one undici Pool with a fixed number of keep-alive connections, the same for every
 * target. Phases:
 *   1. warm-up, closed loop (not recorded);
 *   2. throughput, closed loop: `connections` workers each run operations back to back;
 *   3. optionally, latency at a fixed fraction of the measured throughput, open loop: work is
 *      started on a schedule whatever the answers do, so a slow server cannot slow the load down
 *      and hide its own latency (coordinated omission).
 * An operation is one HTTP call; its latency runs from issuing it (client-side queueing included)
 * to its whole answer. Usage: node --import tsx bench/load.ts '<json LoadConfig>'; prints one JSON
 * line (LoadResult) on stdout.
 */
import { Pool } from 'undici';
import { processTree, procStat } from './support.js';
import { echoOnce, LifecycleError, lifecycleOnce, lifecycleOps, type Requester, type Target } from './workload.js';

export interface LoadConfig {
  origin: string;
  workload: 'echo' | 'lifecycle';
  connections: number;
  authorization?: string;
  warmupMs: number;
  durationMs: number;
  /** When set, a third phase runs the open loop at this fraction of the measured ops/s. */
  openLoopFraction?: number;
  /**
   * When set, the open loop asks exactly this many ops/s instead of a fraction of the measured
   * throughput: on a machine shared with other work the throughput phase swings, and with it the
   * rate; a fixed rate makes before/after pairs comparable.
   */
  openLoopOpsPerSec?: number;
  openLoopDurationMs?: number;
  /** Lifecycle calls to run (7, all of them, unless profiling a part). */
  steps?: number;
  /** The server's pid: its CPU time per operation is reported (Linux, from /proc). */
  serverPid?: number;
  /** Several servers (nodes on one database): calls go round robin over them; CPU is summed. */
  origins?: string[];
  serverPids?: number[];
}

export interface PhaseResult {
  name: string;
  kind: 'closed' | 'open';
  seconds: number;
  /** Ops asked for per second (open loop only). */
  targetOpsPerSec?: number;
  ops: number;
  opsPerSec: number;
  lifecyclesPerSec?: number;
  latencyMs: { p50: number; p90: number; p99: number; p999: number; max: number; mean: number };
  errors: number;
  errorSamples: string[];
  /** Server CPU time (user + system, all its threads) per operation, in µs; absent without /proc. */
  serverCpuUsPerOp?: number;
}

export interface LoadResult {
  workload: LoadConfig['workload'];
  connections: number;
  phases: PhaseResult[];
}

class Recorder {
  private latencies = new Float64Array(1 << 16);
  private count = 0;
  errors = 0;
  readonly errorSamples = new Set<string>();
  constructor(
    readonly fromNs: bigint,
    readonly toNs: bigint,
  ) {}

  record(startedNs: bigint, latencyUs: number, error?: string): void {
    if (startedNs < this.fromNs || startedNs >= this.toNs) return;
    if (error !== undefined) return this.error(error);
    if (this.count === this.latencies.length) {
      const bigger = new Float64Array(this.latencies.length * 2);
      bigger.set(this.latencies);
      this.latencies = bigger;
    }
    this.latencies[this.count++] = latencyUs;
  }

  error(message: string): void {
    this.errors++;
    if (this.errorSamples.size < 5) this.errorSamples.add(message);
  }

  result(name: string, kind: PhaseResult['kind'], opsPerLifecycle: number, targetOpsPerSec?: number): PhaseResult {
    const seconds = Number(this.toNs - this.fromNs) / 1e9;
    const sorted = this.latencies.slice(0, this.count).sort();
    const at = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! / 1000 : 0);
    let sum = 0;
    for (const v of sorted) sum += v;
    const opsPerSec = this.count / seconds;
    return {
      name,
      kind,
      seconds: round(seconds, 2),
      targetOpsPerSec: targetOpsPerSec === undefined ? undefined : Math.round(targetOpsPerSec),
      ops: this.count,
      opsPerSec: Math.round(opsPerSec),
      lifecyclesPerSec: opsPerLifecycle > 1 ? Math.round(opsPerSec / opsPerLifecycle) : undefined,
      latencyMs: {
        p50: round(at(0.5), 3),
        p90: round(at(0.9), 3),
        p99: round(at(0.99), 3),
        p999: round(at(0.999), 3),
        max: round(sorted.length ? sorted[sorted.length - 1]! / 1000 : 0, 3),
        mean: round(sorted.length ? sum / sorted.length / 1000 : 0, 3),
      },
      errors: this.errors,
      errorSamples: [...this.errorSamples],
    };
  }
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

const nowNs = () => process.hrtime.bigint();

/**
 * CPU seconds (user + system) a process and its live descendants (a cluster's workers) have used
 * so far, or undefined where /proc is missing.
 */
function cpuSeconds(pids: number[]): number | undefined {
  let ticks: number | undefined;
  for (const p of pids.flatMap(processTree)) {
    const fields = procStat(p);
    if (fields) ticks = (ticks ?? 0) + Number(fields[11]) + Number(fields[12]);
  }
  return ticks === undefined ? undefined : ticks / ticksPerSecond;
}
const ticksPerSecond = 100; // USER_HZ on Linux

/** Runs `f` at `whenNs` (or at once if past). */
function at(whenNs: bigint, f: () => void): NodeJS.Timeout {
  return setTimeout(f, Math.max(0, Number(whenNs - nowNs()) / 1e6));
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as LoadConfig;
  const origins = config.origins ?? [config.origin];
  const pools = origins.map((o) => new Pool(o, { connections: Math.ceil(config.connections / origins.length), pipelining: 1, keepAliveTimeout: 60_000, keepAliveMaxTimeout: 60_000 }));
  let turn = 0;
  // Several nodes: each call to the next one, as a load balancer with nothing sticky does.
  const pool: Requester = pools.length === 1 ? pools[0]! : { request: (o) => (pools[turn++ % pools.length] as Requester).request(o) };
  const serverPids = config.serverPids ?? (config.serverPid ? [config.serverPid] : []);
  const steps = config.steps ?? lifecycleOps;
  const once = config.workload === 'echo' ? echoOnce : (t: Target) => lifecycleOnce(t, steps);
  const opsPerUnit = config.workload === 'echo' ? 1 : steps;
  const phases: PhaseResult[] = [];

  let recorder = new Recorder(0n, 0n);
  const target: Target = {
    pool,
    authorization: config.authorization,
    record: (s, l, e) => recorder.record(s, l, e),
    error: (m) => recorder.error(m),
  };
  const runOne = async (): Promise<void> => {
    try {
      await once(target);
    } catch (error) {
      if (!(error instanceof LifecycleError)) recorder.error(String(error));
    }
  };

  // Closed loop: warm-up then throughput. Every worker keeps exactly one unit in flight.
  const warmupEnd = nowNs() + BigInt(config.warmupMs) * 1_000_000n;
  const measureEnd = warmupEnd + BigInt(config.durationMs) * 1_000_000n;
  recorder = new Recorder(warmupEnd, measureEnd);
  let cpuAtStart: number | undefined;
  let cpuAtEnd: number | undefined;
  at(warmupEnd, () => (cpuAtStart = cpuSeconds(serverPids)));
  at(measureEnd, () => (cpuAtEnd = cpuSeconds(serverPids)));
  await Promise.all(
    Array.from({ length: config.connections }, async () => {
      while (nowNs() < measureEnd) await runOne();
    }),
  );
  cpuAtEnd ??= cpuSeconds(serverPids); // the timer may not have fired yet on a busy machine
  const closed = recorder.result('throughput', 'closed', opsPerUnit);
  if (cpuAtStart !== undefined && cpuAtEnd !== undefined && closed.ops > 0) closed.serverCpuUsPerOp = Math.round(((cpuAtEnd - cpuAtStart) * 1e6) / closed.ops);
  phases.push(closed);

  if (config.openLoopFraction && closed.opsPerSec > 0) {
    // Open loop: units start on a fixed schedule; their calls are recorded if issued in the window.
    const targetOps = config.openLoopOpsPerSec ?? closed.opsPerSec * config.openLoopFraction;
    const unitsPerSec = targetOps / opsPerUnit;
    const durationNs = BigInt(config.openLoopDurationMs ?? config.durationMs) * 1_000_000n;
    await sleep(200); // let the closed loop's tail drain
    const start = nowNs();
    const openCpuAtStart = cpuSeconds(serverPids);
    recorder = new Recorder(start, start + durationNs);
    const inFlight = new Set<Promise<void>>();
    let started = 0;
    while (nowNs() < start + durationNs) {
      const due = Math.floor((Number(nowNs() - start) / 1e9) * unitsPerSec);
      for (; started < due; started++) {
        const p = runOne().finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      await sleep(1);
    }
    await Promise.all(inFlight);
    const openCpuAtEnd = cpuSeconds(serverPids);
    const name = config.openLoopOpsPerSec ? `at a fixed ${config.openLoopOpsPerSec} ops/s` : `at ${Math.round(config.openLoopFraction * 100)}% load`;
    const open = recorder.result(name, 'open', opsPerUnit, targetOps);
    // Server CPU per operation at this load: at half load the groups are small, so it costs more than in the closed loop.
    if (openCpuAtStart !== undefined && openCpuAtEnd !== undefined && open.ops > 0) open.serverCpuUsPerOp = Math.round(((openCpuAtEnd - openCpuAtStart) * 1e6) / open.ops);
    phases.push(open);
  }

  await Promise.all(pools.map((p) => p.close()));
  const result: LoadResult = { workload: config.workload, connections: config.connections, phases };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error) => {
  process.stderr.write(`load: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
