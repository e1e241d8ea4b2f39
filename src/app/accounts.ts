/**
 * Merchant accounts and their HTTP Basic credentials. Secrets are stored as scrypt hashes and
 * compared in constant time; they are never logged. Verified credentials are remembered in memory
 * under a SHA-256 of the pair (not the secret itself) so the hot path does not pay for scrypt.
 */
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { limits } from '../domain/limits.js';
import type { AccountRecord, Store } from '../store/port.js';
import type { Clock, Random } from './ports.js';

const scrypt = promisify(scryptCb) as (password: string, salt: Buffer, keylen: number, cost: ScryptCost) => Promise<Buffer>;
const keyLength = 32;

/** scrypt's cost parameters. The stored hash does not record them: one Kassa uses one set. */
export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

/**
 * Node's defaults, what every server uses. Only the in-process test harness injects a cheaper set
 * (createKassa's `secretHashing`), for its throw-away in-memory accounts: a suite creates hundreds.
 */
export const defaultScryptCost: ScryptCost = Object.freeze({ N: 16384, r: 8, p: 1 });

export async function hashSecret(secret: string, cost: ScryptCost = defaultScryptCost): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(secret, salt, keyLength, cost);
  return `scrypt$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function verifySecret(secret: string, stored: string, cost: ScryptCost = defaultScryptCost): Promise<boolean> {
  const [scheme, saltB64, hashB64] = stored.split('$');
  if (scheme !== 'scrypt' || !saltB64 || !hashB64) return false;
  const expected = Buffer.from(hashB64, 'base64');
  const actual = await scrypt(secret, Buffer.from(saltB64, 'base64'), expected.length, cost);
  return timingSafeEqual(actual, expected);
}

/** C0 controls (NUL included) and DEL: never part of a username or password Kassa issues or accepts. */
export function hasControlCharacter(value: string): boolean {
  return /[\u0000-\u001f\u007f]/.test(value);
}

/** Account ids are Klarna partner KRNs; v2 paths carry them as `partner_account_id`. */
export function newAccountId(random: Random, mode: 'sandbox' | 'live'): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';
  const bytes = Buffer.from(random.token(8), 'base64url');
  let code = '';
  for (let i = 0; i < 8; i++) code += alphabet[bytes[i]! % alphabet.length];
  return `krn:partner:global:account:${mode === 'live' ? 'live' : 'test'}:${code}`;
}

export class Accounts {
  /** Verified credential pairs: the account and the stored secret hash they were checked against. */
  private readonly verified = new Map<string, { id: string; secretHash: string }>();
  private readonly verifying = new Map<string, Promise<AccountRecord | undefined>>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly random: Random,
    private readonly mode: 'sandbox' | 'live',
    private readonly scryptCost: ScryptCost = defaultScryptCost,
  ) {}

  async create(username: string, password: string, options: { isDefault?: boolean } = {}): Promise<AccountRecord> {
    const account = await this.newAccount(username, password, options.isDefault ?? false);
    await this.store.createAccount(account);
    return account;
  }

  /** The sandbox's generated default merchant, unless another process or node has made one: then undefined. */
  async createDefault(username: string, password: string): Promise<AccountRecord | undefined> {
    const account = await this.newAccount(username, password, true);
    return (await this.store.createDefaultAccount(account)) ? account : undefined;
  }

  private async newAccount(username: string, password: string, isDefault: boolean): Promise<AccountRecord> {
    // Such a password could never sign in (authenticate refuses it), so no account gets one.
    if (hasControlCharacter(password)) throw new Error('a password may not contain control characters');
    return {
      id: newAccountId(this.random, this.mode),
      username,
      secretHash: await hashSecret(password, this.scryptCost),
      createdAt: this.clock.now(),
      clockOffsetMs: 0,
      isDefault,
    };
  }

  /** The account these Basic credentials belong to, or undefined. Constant-time on the secret. */
  async authenticate(username: string, password: string): Promise<AccountRecord | undefined> {
    // No account has a control character in its name (PostgreSQL cannot even compare a NUL byte):
    // such a name is simply unknown, never a store error. Nor in its password: scrypt's HMAC pads a
    // short key with NUL bytes, so P and P + "\0" would hash alike and both sign in.
    if (hasControlCharacter(username) || hasControlCharacter(password) || username.length > limits.usernameCharsMax) return undefined;
    const cacheKey = createHash('sha256').update(username).update('\u0000').update(password).digest('base64');
    const cached = this.verified.get(cacheKey);
    if (cached) {
      // Only while the account still has the secret it was verified against: a password changed
      // (by the CLI, another process) makes the old pair go through scrypt again, and fail.
      const account = await this.store.getAccount(cached.id);
      if (account?.secretHash === cached.secretHash) return account;
      this.verified.delete(cacheKey);
    }
    // A client that opens many connections at once sends the same credentials many times before
    // the first check ends: they share one scrypt instead of queueing dozens on the thread pool.
    const pending = this.verifying.get(cacheKey);
    if (pending) return pending;
    const verification = this.verify(cacheKey, username, password).finally(() => this.verifying.delete(cacheKey));
    this.verifying.set(cacheKey, verification);
    return verification;
  }

  private async verify(cacheKey: string, username: string, password: string): Promise<AccountRecord | undefined> {
    const account = await this.store.getAccountByUsername(username);
    // Hash even when the user is unknown so timing does not reveal which usernames exist.
    const ok = await verifySecret(password, account?.secretHash ?? 'scrypt$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', this.scryptCost);
    if (!account || !ok) return undefined;
    if (this.verified.size > 10_000) this.verified.clear();
    this.verified.set(cacheKey, { id: account.id, secretHash: account.secretHash });
    return account;
  }
}

/** Generates a credential pair for a new account (printed once; only the hash is stored). */
export function generateCredentials(random: Random): { username: string; password: string } {
  return { username: `merchant_${random.token(6).replace(/[^A-Za-z0-9]/g, '').toLowerCase().slice(0, 8) || 'kassa'}`, password: random.token(24) };
}
