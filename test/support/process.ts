/**
 * Runs Kassa as users do (`node --import tsx src/main.ts`) on a real socket, for end-to-end tests.
 * Port 0 (the default) lets the OS choose a free port, so parallel runs never collide; the actual
 * address is read from Kassa's "kassa listening" log line. `freePort` is for tests that restart a
 * process and need it on the same port each time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';

export interface KassaProcess {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startKassaProcess(env: Record<string, string>, port = 0): Promise<KassaProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', PORT: String(port), KASSA_POLL_INTERVAL_MS: '50', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  let url = '';
  for (let i = 0; i < 600 && !url; i++) {
    if (child.exitCode !== null) throw new Error(`kassa exited early (${child.exitCode}):\n${out}`);
    url = /"address":"(http:\/\/[^"]+)"/.exec(out)?.[1] ?? '';
    if (!url) await new Promise((r) => setTimeout(r, 50));
  }
  if (!url) throw new Error(`kassa did not start listening:\n${out}`);
  return {
    child,
    url,
    stdout: () => out,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      const [code] = await once(child, 'exit');
      return code as number | null;
    },
  };
}

/**
 * A port the OS reports free right now, for a process that must keep one port across restarts
 * (its clients and the links it handed out keep their URL). Another process could take it before
 * the caller listens on it; unlikely, and never a fixed port shared by parallel runs.
 */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port!;
}

/** `count` distinct free ports (all held open together while the OS picks them). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))));
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}
