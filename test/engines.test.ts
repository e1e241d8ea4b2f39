/**
 * package.json's `engines` is true for every installed package: the lowest Node version of each
 * line the range allows satisfies every `engines.node` in the lockfile (else `npm install` prints
 * EBADENGINE on a Node the README says is fine). `.prebuild-installrc` keeps better-sqlite3
 * compiling from source (no binary download at install) without a config npm 11 warns about.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

interface Semver {
  Range: new (range: string) => { set: { value: string }[][] };
  minVersion(range: string): { version: string } | null;
  satisfies(version: string, range: string): boolean;
}
// semver comes with fastify (and node-abi); no types are installed for it.
const semver = createRequire(import.meta.url)('semver') as Semver;

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));

/** The lowest version of each `||` alternative of a range: `^20.19.0 || ^22.13.0 || >=24` → 20.19.0, 22.13.0, 24.0.0. */
function lowestOfEachLine(range: string): string[] {
  return new semver.Range(range).set.map((comparators) => semver.minVersion(comparators.map((c) => c.value).join(' '))!.version);
}

describe('Node versions', () => {
  const supported = lowestOfEachLine(pkg.engines.node);

  it('package.json names the lines it supports, Node 20 included', () => {
    expect(supported[0]).toMatch(/^20\./);
  });

  it('every package in the lockfile accepts the lowest version of each supported line', () => {
    const refusing: string[] = [];
    for (const [path, entry] of Object.entries<{ version?: string; engines?: { node?: string } }>(lock.packages)) {
      const wanted = entry.engines?.node;
      if (!path || !wanted) continue;
      for (const version of supported) if (!semver.satisfies(version, wanted)) refusing.push(`${path}@${entry.version} wants node ${wanted}, not ${version}`);
    }
    expect(refusing).toEqual([]);
  });
});

describe('better-sqlite3 builds from source', () => {
  it('prebuild-install is told not to download (.prebuild-installrc), and no npm config npm 11 refuses remains', () => {
    expect(readFileSync('.prebuild-installrc', 'utf8')).toMatch(/^buildFromSource=true$/m);
    expect(existsSync('.npmrc') ? readFileSync('.npmrc', 'utf8') : '').not.toMatch(/build-from-source/);
  });
});
