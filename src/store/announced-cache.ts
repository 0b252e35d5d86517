/**
 * A cache that is true only while its process hears every change the database announces
 * (src/store/principal-changes.ts). `trusted()` says so; while it is false nothing is read from or kept in
 * the cache. Each announced change deletes what it names, and an entry read from the database before a
 * change is never kept after it: take generation() before the read and pass it to set(). Every entry is
 * also dropped after `ttlMs` whatever happens, and at most `maxEntries` are kept, the oldest going first.
 */
export interface AnnouncedCacheOptions {
  /** How long an entry may be used at most, in milliseconds; 0 turns the cache off. */
  readonly ttlMs: number;
  readonly maxEntries: number;
  /** Whether the process hears changes right now. */
  readonly trusted: () => boolean;
  readonly now?: () => number;
}

export interface AnnouncedCache<V> {
  get(key: string): V | undefined;
  /** Take this before reading the database, and pass it to set(). */
  generation(): number;
  /** Keeps a value read from the database, unless a change arrived since `generation` was taken. */
  set(key: string, value: V, generation: number): void;
  delete(key: string): void;
  /** Deletes every entry whose value matches. */
  deleteWhere(matches: (value: V) => boolean): void;
  clear(): void;
  readonly size: () => number;
}

export function createAnnouncedCache<V>(options: AnnouncedCacheOptions): AnnouncedCache<V> {
  const now = options.now ?? (() => performance.now());
  const entries = new Map<string, { value: V; expiresAt: number }>();
  let generation = 0;
  const enabled = () => options.ttlMs > 0 && options.trusted();

  return {
    get(key) {
      if (!enabled()) return undefined;
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.expiresAt <= now()) {
        entries.delete(key);
        return undefined;
      }
      return entry.value;
    },
    generation: () => generation,
    set(key, value, seen) {
      if (seen !== generation || !enabled()) return;
      entries.delete(key);
      if (entries.size >= options.maxEntries) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
      entries.set(key, { value, expiresAt: now() + options.ttlMs });
    },
    delete(key) {
      generation += 1;
      entries.delete(key);
    },
    deleteWhere(matches) {
      generation += 1;
      for (const [key, entry] of entries) if (matches(entry.value)) entries.delete(key);
    },
    clear() {
      generation += 1;
      entries.clear();
    },
    size: () => entries.size,
  };
}
