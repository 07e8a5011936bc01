interface Waiter<V> {
  resolve(v: V | undefined): void;
  reject(e: unknown): void;
}

/**
 * Coalesces the lookups asked for in one turn of the event loop into one fetch of all their keys
 * (each key once), answered to every asker; a key the fetch did not find answers undefined. For
 * reads outside any transaction only: the batch runs on its own connection, not a caller's.
 */
export class BatchLoader<K, V> {
  private pending = new Map<K, Waiter<V>[]>();
  private scheduled = false;

  constructor(
    private readonly fetch: (keys: K[]) => Promise<Map<K, V>>,
    private readonly maxBatch = 500,
  ) {}

  load(key: K): Promise<V | undefined> {
    return new Promise<V | undefined>((resolve, reject) => {
      const waiters = this.pending.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else this.pending.set(key, [{ resolve, reject }]);
      if (this.scheduled) return;
      this.scheduled = true;
      // setImmediate: every lookup asked for before the event loop turns joins this batch
      setImmediate(() => this.run());
    });
  }

  private run(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = new Map();
    const keys = [...batch.keys()];
    for (let i = 0; i < keys.length; i += this.maxBatch) {
      const chunk = keys.slice(i, i + this.maxBatch);
      const answer = (fn: (w: Waiter<V>, k: K) => void) => {
        for (const k of chunk) for (const w of batch.get(k)!) fn(w, k);
      };
      let fetched: Promise<Map<K, V>>;
      try {
        fetched = this.fetch(chunk);
      } catch (e) {
        answer((w) => w.reject(e));
        continue;
      }
      fetched.then(
        (found) => answer((w, k) => w.resolve(found.get(k))),
        (e: unknown) => answer((w) => w.reject(e)),
      );
    }
  }
}
