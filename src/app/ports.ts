/**
 * Ports for time and randomness. Nothing outside this file and its adapters reads Date.now or
 * Math.random; tests inject fixed or stepping implementations.
 */
import { randomBytes, randomUUID } from 'node:crypto';

export interface Clock {
  /** System time, ms since epoch. Account (test-clock) time is this plus the account's offset. */
  now(): number;
}

export interface Random {
  uuid(): string;
  /** Url-safe random text with `bytes` bytes of entropy. */
  token(bytes: number): string;
  /** Uniform float in [0, 1) for jitter. */
  fraction(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export const cryptoRandom: Random = {
  uuid: () => randomUUID(),
  token: (bytes) => randomBytes(bytes).toString('base64url'),
  fraction: () => randomBytes(4).readUInt32BE() / 0x1_0000_0000,
};

/** A clock tests move by hand. It never goes backwards. */
export class ManualClock implements Clock {
  constructor(private current: number) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    if (ms < 0) throw new Error('ManualClock only moves forward');
    this.current += ms;
  }
}
