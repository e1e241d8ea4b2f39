/**
 * The order `vitest run` starts test files in. Vitest starts the files that took longest last time
 * first, but on a fresh clone it has no timings and starts the largest files first, which put the
 * small files that run Kassa processes for a minute (kill -9 loops) at the end, alone on one core
 * while the other idled. These start first; then Vitest's own order.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Files that spend most of their time in child processes and real-time waits, longest first. */
export const startFirst = [
  'test/reliability/crash.test.ts',
  'test/merchant/kill9.test.ts',
  'test/reliability/fuzz.test.ts',
  'test/e2e/cluster.test.ts',
  'test/e2e/server.test.ts',
  'test/v2/webhook-crash-restart.test.ts',
];

export class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (file: TestSpecification) => {
      const i = startFirst.findIndex((path) => file.moduleId.endsWith(`/${path}`));
      return i === -1 ? startFirst.length : i;
    };
    return sorted.map((file, i) => ({ file, i })).sort((a, b) => rank(a.file) - rank(b.file) || a.i - b.i).map(({ file }) => file);
  }
}
