/**
 * The SQLite adapter holding its database file while it writes (SQLite's `locking_mode=EXCLUSIVE`),
 * when it is the only Kassa process on the file (`KASSA_WORKERS=1`, the default).
 *
 * Why: a connection that shares its WAL database takes and drops locks in the `-shm` file at every
 * transaction (fcntl system calls, 1.5–3 µs each on this machine's VM), and before every cached
 * read the adapter must ask SQLite whether another connection committed (`PRAGMA data_version`,
 * itself a read transaction): 3.7–6.5 µs per check, against 0.2–0.4 µs for a connection in
 * EXCLUSIVE mode, whose first write transaction takes the database file's exclusive lock and keeps
 * it. While it holds that lock no other connection can read or write the file, so nobody else can
 * have committed and the read cache needs no check. Measured in docs/performance.md ("Session 7").
 *
 * Other processes must still get in (the CLI creating an account next to a running server, a
 * second process started on the same file), so the lock is opportunistic:
 *  - it is taken by a group commit's BEGIN IMMEDIATE and never waited for. In WAL mode every open
 *    connection holds a shared lock on the file, so while another one is open the attempt fails at
 *    once; the group then begins as a sharing connection, as without this class, and the next
 *    attempt comes `limits.sqliteExclusiveRetryMs` later;
 *  - it is let go once no group commit happened for `limits.sqliteExclusiveIdleMs`, so a tool
 *    waiting in its busy timeout gets in as soon as this process is idle.
 * (Switching between NORMAL and EXCLUSIVE is allowed at any time because the database entered WAL
 * mode under NORMAL: https://sqlite.org/pragma.html#pragma_locking_mode.)
 */
import type Database from 'better-sqlite3';
import { limits } from '../../domain/limits.js';

export class ExclusiveLock {
  /** This connection holds the database file's exclusive lock: no other connection can change it. */
  held = false;
  private nextAttemptAt = 0;
  private commitsAtLastLook = -1;
  private readonly idleTimer: NodeJS.Timeout;

  constructor(
    private readonly db: Database.Database,
    /** Group commits so far: the idle check compares it with its last look. */
    private readonly commits: () => number,
    /** Any read of the database: after switching back to NORMAL, the next access lets the lock go. */
    private readonly touch: () => void,
  ) {
    this.idleTimer = setInterval(() => this.releaseIfIdle(), limits.sqliteExclusiveIdleMs);
    this.idleTimer.unref();
  }

  /**
   * A group commit's BEGIN IMMEDIATE (`begin`: true when it began, false when SQLITE_BUSY) made in
   * EXCLUSIVE mode, unless the lock is held or the last attempt was too recent: true when it began,
   * and the lock is then the caller's to declare `taken`. When it did not (another connection has
   * the file open, or an error), the mode is NORMAL again and the file is shared for a while.
   */
  tryTake(begin: () => boolean): boolean {
    if (this.held || performance.now() < this.nextAttemptAt) return false;
    this.db.exec('PRAGMA locking_mode = EXCLUSIVE');
    let began = false;
    try {
      began = begin();
    } finally {
      if (!began) {
        this.db.exec('PRAGMA locking_mode = NORMAL');
        this.nextAttemptAt = performance.now() + limits.sqliteExclusiveRetryMs;
      }
    }
    return began;
  }

  /** After `tryTake` began: the exclusive lock is held from now on. */
  taken(): void {
    this.held = true;
  }

  /** Lets the lock go when no group commit happened since the last look (tests call it directly). */
  releaseIfIdle(): void {
    const commits = this.commits();
    const idle = commits === this.commitsAtLastLook;
    this.commitsAtLastLook = commits;
    if (!idle || !this.held || !this.db.open || this.db.inTransaction) return;
    this.db.exec('PRAGMA locking_mode = NORMAL');
    this.touch();
    this.held = false;
  }

  stop(): void {
    clearInterval(this.idleTimer);
  }
}
