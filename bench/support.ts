/** Process helpers shared by the benchmarks: ports, readiness, peak RSS, stopping. */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

let nextPort = process.env.BENCH_PORT_BASE ? Number(process.env.BENCH_PORT_BASE) : 0;

/** A port nothing listens on: the next free one from BENCH_PORT_BASE, or one the OS picks. */
export async function freePort(): Promise<number> {
  for (;;) {
    const wanted = nextPort ? nextPort++ : 0;
    const port = await new Promise<number | undefined>((ok) => {
      const s = createServer();
      s.once('error', () => ok(undefined));
      s.listen(wanted, '127.0.0.1', () => {
        const got = (s.address() as { port: number }).port;
        s.close(() => ok(got));
      });
    });
    if (port !== undefined) return port;
  }
}

/**
 * Peak resident set (VmHWM) of a live process and its descendants (a cluster's workers), in MB;
 * sampled with ps where /proc is missing.
 */
export function peakRssMb(pid: number): number {
  let kb = 0;
  for (const p of processTree(pid)) {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) kb += Number(m[1]);
    } catch {
      // gone, or not Linux
    }
  }
  return kb > 0 ? Math.round(kb / 1024) : -1;
}

/**
 * The fields of /proc/<pid>/stat after the command name (which may hold spaces): index 0 is the
 * state, 1 the parent pid, 11 and 12 user and system CPU ticks. Undefined when the process is gone
 * or there is no /proc.
 */
export function procStat(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** `pid` and every live descendant of it (Linux /proc; just `pid` elsewhere). */
export function processTree(pid: number): number[] {
  const parentOf = new Map<number, number>();
  try {
    for (const entry of readdirSync('/proc')) {
      const fields = /^\d+$/.test(entry) ? procStat(Number(entry)) : undefined;
      if (fields) parentOf.set(Number(entry), Number(fields[1]));
    }
  } catch {
    return [pid];
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) for (const [child, parent] of parentOf) if (parent === tree[i]) tree.push(child);
  return tree;
}

/** Where /proc is missing (macOS), samples `ps` twice a second instead. */
export class RssSampler {
  peakKb = 0;
  private timer?: NodeJS.Timeout;
  constructor(private readonly pid: number) {
    if (!existsSync('/proc/self/status')) this.timer = setInterval(() => this.sample(), 500);
  }
  private sample(): void {
    const p = spawn('ps', ['-o', 'rss=', '-p', String(this.pid)]);
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('close', () => (this.peakKb = Math.max(this.peakKb, Number(out.trim()) || 0)));
  }
  stop(): number {
    clearInterval(this.timer);
    return Math.round(this.peakKb / 1024);
  }
}

export async function waitFor(check: () => Promise<boolean>, what: string, child: ChildProcess, logFile?: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}${logFile ? `:\n${tail(logFile)}` : ''}`);
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not become ready in 30 s${logFile ? `:\n${tail(logFile)}` : ''}`);
}

export function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '';
  }
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}


/** Current resident set (VmRSS) of a live process, in MB (-1 where /proc is missing). */
export function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (m) return Math.round(Number(m[1]) / 1024);
  } catch {
    // not Linux
  }
  return -1;
}

export interface KassaProcess {
  child: ChildProcess;
  origin: string;
  stop(): Promise<void>;
}

/**
 * The node options of package.json's "start" script (`node <options> src/main.ts`: the tsx loader
 * and the heap flags), so the benchmark starts Kassa with exactly what `npm start` uses.
 */
export function startScriptNodeArgs(root: string): string[] {
  const start = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const words = start.trim().split(/\s+/);
  const main = words.indexOf('src/main.ts');
  if (words[0] !== 'node' || main < 0) throw new Error(`package.json "start" is not "node <options> src/main.ts": ${start}`);
  return words.slice(1, main);
}

/**
 * Starts Kassa exactly as users do (`npm start`: the package.json "start" script's node options),
 * in its own process, with its log in `logFile`; resolves when /healthz answers.
 */
export async function startKassa(root: string, env: Record<string, string>, logFile: string, nodeArgs: string[] = []): Promise<KassaProcess> {
  // Another program may take the port between our check and Kassa's listen: try another one.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startKassaOn(await freePort(), root, env, logFile, nodeArgs);
    } catch (error) {
      if (attempt >= 3 || !String(error).includes('EADDRINUSE')) throw error;
    }
  }
}

async function startKassaOn(port: number, root: string, env: Record<string, string>, logFile: string, nodeArgs: string[]): Promise<KassaProcess> {
  const childEnv: Record<string, string | undefined> = { ...process.env, PORT: String(port), HOST: '127.0.0.1', ...env };
  for (const key of Object.keys(childEnv)) if (key.startsWith('BENCH_') || key === 'NODE_OPTIONS') delete childEnv[key];
  const logFd = openSync(logFile, 'a');
  const child = spawn(process.execPath, [...startScriptNodeArgs(root), ...nodeArgs, 'src/main.ts'], { cwd: root, env: childEnv, stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  const origin = `http://127.0.0.1:${port}`;
  try {
    await waitFor(async () => (await fetch(`${origin}/healthz`)).ok, 'kassa', child, logFile);
  } catch (error) {
    await stopProcess(child);
    throw error;
  }
  return { child, origin, stop: () => stopProcess(child) };
}
