/**
 * Verified HTTP Basic credentials, remembered per process so that a request whose Authorization
 * header was verified before costs one hash and one account read, not a parse, a scrypt or a
 * lookup by name. Keyed by a SHA-256 of the whole header (the secret itself is never kept); an
 * entry holds the account id and the stored secret hash it was verified against, and is dropped as
 * soon as the account read for a request carries another secret hash (a changed secret) or no
 * longer exists. Bounded: the least recently used entry goes first.
 */
import { hash } from 'node:crypto';
import { limits } from '../domain/limits.js';
import type { AccountRecord, Store } from '../store/port.js';

interface Entry {
  accountId: string;
  secretHash: string;
}

export class CredentialCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly store: Store,
    private readonly max: number = limits.credentialCacheEntriesMax,
  ) {}

  /** The account a previously verified header belongs to, read afresh; undefined when unknown. */
  async lookup(header: string): Promise<AccountRecord | undefined> {
    const key = keyOf(header);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    const account = await this.store.getAccount(entry.accountId);
    if (!account || account.secretHash !== entry.secretHash) {
      this.entries.delete(key);
      return undefined;
    }
    // Most recently used last (a Map keeps insertion order), so eviction takes the coldest.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return account;
  }

  /** Remembers a header that was just verified for `account`. */
  remember(header: string, account: AccountRecord): void {
    const key = keyOf(header);
    this.entries.delete(key);
    this.entries.set(key, { accountId: account.id, secretHash: account.secretHash });
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }
}

function keyOf(header: string): string {
  return hash('sha256', header, 'base64');
}
