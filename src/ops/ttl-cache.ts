/**
 * A cache of short-lived entries in two generations: new entries go to the young map; every `ttl`
 * the young map becomes the old one and the old one is dropped whole. An entry is served while it
 * is younger than `ttl`, and forgotten between `ttl` and 2·`ttl` after it was set, so the cache
 * holds what was asked for in the last two `ttl`s — not one entry per subject ever seen — and
 * costs no sweep. `maxEntries` bounds the young map (it rotates early when full).
 *
 * @example
 * const positions = new TtlCache<Position>(2000, 50_000);
 * positions.set('p1', position, now);
 * positions.get('p1', now + 1500); // position
 * positions.get('p1', now + 2500); // undefined
 */
export class TtlCache<V> {
  private young = new Map<string, { at: number; value: V }>();
  private old = new Map<string, { at: number; value: V }>();
  private rotatedAt = -Infinity;

  constructor(private readonly ttlMs: number, private readonly maxEntries: number) {}

  /** The value set for `key` less than `ttl` before `now`, if any. */
  get(key: string, now: number): V | undefined {
    this.rotate(now);
    const e = this.young.get(key) ?? this.old.get(key);
    if (!e || now - e.at >= this.ttlMs || now < e.at) return undefined;
    return e.value;
  }

  set(key: string, value: V, now: number): void {
    this.rotate(now);
    if (this.young.size >= this.maxEntries) this.shift(now);
    this.young.set(key, { at: now, value });
  }

  /** Entries held (both generations; some may have expired). */
  get size(): number {
    return this.young.size + this.old.size;
  }

  private rotate(now: number): void {
    // A clock that went back also rotates: nothing set "in the future" is served (see get).
    if (now - this.rotatedAt >= this.ttlMs || now < this.rotatedAt) this.shift(now);
  }

  private shift(now: number): void {
    this.old = this.young;
    this.young = new Map();
    this.rotatedAt = now;
  }
}
