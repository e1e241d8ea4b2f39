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
  /**
   * A UUID for a new record. The system adapter makes it time-ordered (RFC 9562 version 7: 48 bits
   * of milliseconds, a 12-bit sequence, 62 random bits), so new rows land at the right-hand edge of
   * the store's B-trees instead of on a random page each (see docs/performance.md). Ids that are
   * capabilities use `ids.*Token`, which are fully random.
   */
  uuid(): string;
  /** Url-safe random text with `bytes` bytes of entropy. */
  token(bytes: number): string;
  /** Uniform float in [0, 1) for jitter. */
  fraction(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

let lastMs = 0;
let sequence = 0;

/** RFC 9562 UUIDv7 with method 1 (a sequence counter in rand_a): ascending within this process. */
function uuidV7(): string {
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    sequence = 0;
  } else if (++sequence > 0xfff) {
    // 4,096 ids in one millisecond: borrow the next millisecond rather than lose the order.
    lastMs++;
    sequence = 0;
  }
  const ms = lastMs.toString(16).padStart(12, '0');
  const random = randomUUID(); // version-4 text: its variant bits and 62 random bits are reused
  return `${ms.slice(0, 8)}-${ms.slice(8)}-7${sequence.toString(16).padStart(3, '0')}-${random.slice(19)}`;
}

export const cryptoRandom: Random = {
  uuid: uuidV7,
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
