/** A per-request batch loader: keys asked for in the same tick are fetched in one call. */
export class BatchLoader<K, V> {
  private pending = new Map<K, { resolve: (v: V | undefined) => void; reject: (e: unknown) => void }[]>();
  private cache = new Map<K, Promise<V | undefined>>();

  constructor(private readonly fetch: (keys: K[]) => Promise<Map<K, V>>) {}

  load(key: K): Promise<V | undefined> {
    const hit = this.cache.get(key);
    if (hit) return hit;
    const promise = new Promise<V | undefined>((resolve, reject) => {
      if (this.pending.size === 0) queueMicrotask(() => setImmediate(() => void this.flush()));
      const list = this.pending.get(key) ?? [];
      list.push({ resolve, reject });
      this.pending.set(key, list);
    });
    this.cache.set(key, promise);
    return promise;
  }

  /** Seeds a value fetched by another statement, so load() asks nothing more for it; the newest read wins. */
  prime(key: K, value: V): void {
    this.cache.set(key, Promise.resolve(value));
  }

  clear(): void {
    this.cache.clear();
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    try {
      const result = await this.fetch([...batch.keys()]);
      for (const [key, waiters] of batch) for (const w of waiters) w.resolve(result.get(key));
    } catch (e) {
      for (const waiters of batch.values()) for (const w of waiters) w.reject(e);
    }
  }
}

/** Loaders hang off the context, created lazily by name. */
export function loader<K, V>(
  ctx: { loaders?: Map<string, unknown> },
  name: string,
  fetch: (keys: K[]) => Promise<Map<K, V>>,
): BatchLoader<K, V> {
  ctx.loaders ??= new Map();
  let l = ctx.loaders.get(name) as BatchLoader<K, V> | undefined;
  if (!l) {
    l = new BatchLoader(fetch);
    ctx.loaders.set(name, l);
  }
  return l;
}
