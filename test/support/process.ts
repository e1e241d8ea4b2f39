/** Runs Kassa as users do (`node --import tsx src/main.ts`) on a real socket, for end-to-end tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export interface KassaProcess {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startKassaProcess(env: Record<string, string>, port: number, readyTimeoutMs = 90_000): Promise<KassaProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', PORT: String(port), KASSA_POLL_INTERVAL_MS: '50', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = `http://127.0.0.1:${port}`;
  // A loaded machine can take several seconds to boot; not being ready by the deadline is an error.
  for (const deadline = Date.now() + readyTimeoutMs; ; ) {
    if (child.exitCode !== null) throw new Error(`kassa exited early (${child.exitCode}):\n${out}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`kassa did not answer /healthz within ${readyTimeoutMs} ms:\n${out}`);
    }
  }
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
