/**
 * The SQLite adapter's read cache: the latest committed version of recently read or written
 * aggregates and accounts, kept parsed, so a command that just wrote an order does not read and
 * `JSON.parse` it again on the next request. Bounded (least recently used dropped first).
 *
 * It is never the truth, only a copy the adapter keeps exact:
 * - its own commits update it after COMMIT (a failed batch or transaction drops what it touched);
 * - a commit by any other connection (another worker process, the CLI) changes SQLite's
 *   `PRAGMA data_version`, which the adapter reads before every cached read and which empties the
 *   cache when it moved — so a read never shows less than the database held when it started;
 * - writes still compare-and-set on the version in the database.
 * Cached objects are deep-frozen: every reader shares them, so one that changed its copy in place
 * would change everyone's (the domain copies before changing, see `cloneOrder`). A state a commit
 * wrote is cached as the object itself, normalised to what reading its JSON back would give
 * (`freezeAsJson`: no undefined members, no Dates), so a cached read equals a database read.
 */

export class ReadCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly max: number) {}

  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    // Most recently used last: delete and re-insert moves it to the end of the Map's order.
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * Makes `value` equal to `JSON.parse(JSON.stringify(value))` and deep-frozen, reusing its objects:
 * members JSON would drop (undefined, functions) are left out of a copy of their object, array
 * slots JSON would write as null become null, and anything with a prototype other than Object's
 * (a Date, a class) or a `toJSON` goes through JSON itself. Parts already frozen were normalised
 * when they were cached, and are shared as they are.
 */
export function freezeAsJson<T>(value: T): T {
  return normalise(value) as T;
}

function dropped(v: unknown): boolean {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol';
}

function normalise(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return typeof value === 'number' && !Number.isFinite(value) ? null : value;
  if (Object.isFrozen(value)) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const n = dropped(v) ? null : normalise(v);
      if (n !== v) value[i] = n;
    }
    return Object.freeze(value);
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if ((proto !== Object.prototype && proto !== null) || typeof (value as { toJSON?: unknown }).toJSON === 'function') return deepFreeze(JSON.parse(JSON.stringify(value)));
  let target = value as Record<string, unknown>;
  for (const key in target) {
    if (dropped(target[key])) {
      const copy: Record<string, unknown> = {};
      for (const k in target) if (!dropped(target[k])) copy[k] = target[k];
      target = copy;
      break;
    }
  }
  for (const key in target) {
    const v = target[key];
    const n = normalise(v);
    if (n !== v) target[key] = n;
  }
  return Object.freeze(target);
}

/** Freezes `value` and everything reachable from it; parts already frozen are skipped. */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  Object.freeze(value);
  if (Array.isArray(value)) {
    for (const item of value) deepFreeze(item);
  } else {
    for (const key in value) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}
