/** What the decision state remembers of a row it applied: the row's time and the order it was taken in. */
export interface Applied {
  at: number;
  seq: number;
}

/**
 * Keys of applied rows, kept in generations: `turn` starts a new one and lets go whole of every
 * older generation whose newest row time is before the cut. Deleting keys one by one from one map
 * held the event loop 30–300 ms a minute at 1,000 outcomes a second (≈ 120,000 keys, ≈ 0.5 µs
 * each); a generation let go is one object for the collector. A key lives at least until its own
 * time is before the cut, at most a generation longer.
 *
 * @example
 * const keys = new KeyGenerations(); keys.set('o|e1', { at: now, seq: 1 }); keys.turn(now - 120_000);
 */
export class KeyGenerations {
  /** Oldest first; the last is the one `set` adds to. */
  private gens: { keys: Map<string, Applied>; newest: number }[] = [{ keys: new Map(), newest: -Infinity }];

  get(key: string): Applied | undefined {
    for (let i = this.gens.length - 1; i >= 0; i--) {
      const a = this.gens[i].keys.get(key);
      if (a) return a;
    }
    return undefined;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  set(key: string, a: Applied): void {
    const g = this.gens[this.gens.length - 1];
    g.keys.set(key, a);
    if (a.at > g.newest) g.newest = a.at;
  }

  get size(): number {
    let n = 0;
    for (const g of this.gens) n += g.keys.size;
    return n;
  }

  /** How many generations are held (the current one included). */
  get generations(): number {
    return this.gens.length;
  }

  /** Starts a new generation and lets go of the older ones whose rows are all before `before`. */
  turn(before: number): void {
    this.gens = this.gens.filter((g) => g.newest >= before);
    this.gens.push({ keys: new Map(), newest: -Infinity });
  }

  /**
   * Lets go of every key before `before`, one by one (a start, whose one generation holds the
   * look-back's rows: only the last minutes' are kept), then starts a new generation.
   */
  sift(before: number): void {
    for (const g of this.gens) {
      let newest = -Infinity;
      for (const [k, a] of g.keys) {
        if (a.at < before) g.keys.delete(k);
        else if (a.at > newest) newest = a.at;
      }
      g.newest = newest;
    }
    this.turn(before);
  }
}
