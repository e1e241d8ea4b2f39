/**
 * The domain folder is pure (STYLE.md §2): no node:* modules, no store or app imports, no reading
 * of the clock or of randomness. Time and ids come in as arguments.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

const forbidden: [RegExp, string][] = [
  [/from ['"]node:/, 'a node:* import'],
  [/from ['"](\.\.\/)+(app|store|http|timers|outbox|config)\//, 'an import from outside the domain'],
  [/\bDate\.now\s*\(/, 'Date.now()'],
  [/\bnew Date\(\s*\)/, 'new Date() without a time'],
  [/\bMath\.random\s*\(/, 'Math.random()'],
  [/\bprocess\./, 'process.*'],
];

describe('src/domain is pure', () => {
  for (const file of files('src/domain')) {
    it(file, () => {
      const text = readFileSync(file, 'utf8');
      for (const [pattern, what] of forbidden) expect(pattern.test(text), `${file} uses ${what}`).toBe(false);
    });
  }
});
