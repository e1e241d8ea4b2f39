/**
 * Reads that arrive in the same turn of the event loop travel together: the PostgreSQL adapter's
 * hottest lookups (the calling account on every request, an aggregate by its key) are queued, and
 * on the next check phase one statement fetches them all (`WHERE id = ANY(…)`). Under load that
 * turns dozens of round trips — each a socket write, a parse and a plan on both sides — into one;
 * alone, a read waits one turn of the loop. Every read still sees everything committed before it
 * was asked (the statement is sent after), so a request reads its own writes.
 */
export class ReadBatcher<K, V> {
  private queue: { key: K; resolve: (v: V | undefined) => void; reject: (e: unknown) => void }[] = [];
  private scheduled = false;

  constructor(
    /** Fetches the values of these keys; returns them in any order. */
    private readonly fetch: (keys: K[]) => Promise<V[]>,
    /** The key a fetched value answers (compared with `keyOf` as a string). */
    private readonly keyOfValue: (v: V) => string,
    private readonly keyOf: (k: K) => string,
  ) {}

  load(key: K): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      this.queue.push({ key, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    const keys = new Map<string, K>();
    for (const q of batch) keys.set(this.keyOf(q.key), q.key);
    this.fetch([...keys.values()]).then(
      (values) => {
        const byKey = new Map(values.map((v) => [this.keyOfValue(v), v]));
        for (const q of batch) q.resolve(byKey.get(this.keyOf(q.key)));
      },
      (error: unknown) => {
        for (const q of batch) q.reject(error);
      },
    );
  }
}
