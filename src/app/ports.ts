/**
 * Ports for time and randomness. Nothing outside this file and its adapters reads Date.now or
 * Math.random; tests inject fixed or stepping implementations.
 */
import { randomBytes, randomFillSync } from 'node:crypto';

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

/**
 * Random bytes are drawn from a pool refilled 4 KiB at a time by the CSPRNG (as node:crypto's own
 * randomUUID does with its entropy cache): one call into the system per ~300 ids instead of one
 * per id or token. Every byte is handed out once.
 */
const pool = Buffer.allocUnsafe(4096);
let poolAt = pool.length;

/** The offset in `pool` of `n` fresh random bytes (n ≤ the pool's size). */
function take(n: number): number {
  if (poolAt + n > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const at = poolAt;
  poolAt += n;
  return at;
}

let lastMs = 0;
let sequence = 0;
/** The 36 characters of a uuid are written here as ASCII and read out as one flat string. */
const text = Buffer.alloc(36, 0x2d); // '-' at 8, 13, 18, 23 stays
const hexDigits = Buffer.from('0123456789abcdef', 'latin1');

/** Writes `count` hex digits of `value` (< 2^52) ending before `end` in `text`. */
function writeHex(value: number, end: number, count: number): void {
  for (let i = end - 1; i >= end - count; i--) {
    text[i] = hexDigits[value % 16]!;
    value = Math.floor(value / 16);
  }
}

/** Writes the bytes pool[from, from + n) as 2n hex digits starting at `at` in `text`. */
function writeBytes(from: number, n: number, at: number): void {
  for (let i = 0; i < n; i++) {
    const b = pool[from + i]!;
    text[at++] = hexDigits[b >> 4]!;
    text[at++] = hexDigits[b & 15]!;
  }
}

/**
 * RFC 9562 UUIDv7 with method 1 (a sequence counter in rand_a): ascending within this process.
 * Written byte by byte into one buffer, so an id is one 36-character string and no intermediates
 * (it is made several times per request: the request id, the requests-log entry, new objects).
 */
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
  writeHex(Math.floor(lastMs / 0x10000), 8, 8); // unix_ts_ms, high 32 bits
  writeHex(lastMs % 0x10000, 13, 4); // unix_ts_ms, low 16 bits
  text[14] = 0x37; // version 7
  writeHex(sequence, 18, 3); // rand_a: the sequence
  const r = take(8); // rand_b: 62 random bits after the variant (bits of pool[r] not used twice)
  text[19] = hexDigits[0x8 | (pool[r]! & 0x3)]!; // variant 10xx
  text[20] = hexDigits[pool[r]! >> 4]!;
  writeBytes(r + 1, 1, 21);
  writeBytes(r + 2, 6, 24);
  return text.toString('latin1', 0, 36);
}

export const cryptoRandom: Random = {
  uuid: uuidV7,
  token: (bytes) => (bytes <= 256 ? pool.toString('base64url', take(bytes), poolAt) : randomBytes(bytes).toString('base64url')),
  fraction: () => pool.readUInt32BE(take(4)) / 0x1_0000_0000,
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
