/**
 * The dedupe window of the embedded store: the 64-bit hashes of the most recent message ids, in an
 * open-addressing table with first-in-first-out eviction. A B-tree index on random message ids
 * would cost a page write per event; this costs 16 bytes per id in memory. A false "duplicate"
 * needs a 64-bit collision among the ids in the window (about 1 in 4·10^12 per message at the
 * default window of 4 million). Rebuilt from the event log at start.
 *
 * The table is tens of megabytes, so each probe is a cache miss: a slot's two halves sit side by
 * side (one miss, not two), an id is added in the probe that finds it absent, and hashing
 * allocates nothing.
 *
 * @example
 * const ids = new RecentIds(1000); ids.add('m-1'); ids.has('m-1'); // true
 */
export class RecentIds {
  /** Slot i holds its hash in [2i] (high half) and [2i + 1] (low half); 0/0 is empty. */
  private readonly table: Uint32Array;
  private readonly mask: number;
  private readonly ring: Uint32Array;
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    let size = 1;
    while (size < capacity * 2) size <<= 1;
    this.table = new Uint32Array(size * 2);
    this.mask = size - 1;
    this.ring = new Uint32Array(capacity * 2);
  }

  get size(): number {
    return this.count;
  }

  has(id: string): boolean {
    hashInto(id);
    return this.find(H[0], H[1]) >= 0;
  }

  /** Adds an id (evicting the oldest when the window is full). */
  add(id: string): void {
    hashInto(id);
    const h = H[0];
    const l = H[1];
    const t = this.table;
    let i = slotOf(h, l) & this.mask;
    for (;;) {
      const a = t[2 * i];
      const b = t[2 * i + 1];
      if (a === 0 && b === 0) break;
      if (a === h && b === l) return;
      i = (i + 1) & this.mask;
    }
    if (this.count === this.capacity) {
      // The oldest goes first; the backward shift may move entries, so probe for the new one again.
      this.remove(this.ring[2 * this.head], this.ring[2 * this.head + 1]);
      this.count -= 1;
      i = slotOf(h, l) & this.mask;
      while (t[2 * i] !== 0 || t[2 * i + 1] !== 0) i = (i + 1) & this.mask;
    }
    t[2 * i] = h;
    t[2 * i + 1] = l;
    this.ring[2 * this.head] = h;
    this.ring[2 * this.head + 1] = l;
    this.head = (this.head + 1) % this.capacity;
    this.count += 1;
  }

  private find(h: number, l: number): number {
    const t = this.table;
    let i = slotOf(h, l) & this.mask;
    for (;;) {
      const a = t[2 * i];
      const b = t[2 * i + 1];
      if (a === 0 && b === 0) return -1;
      if (a === h && b === l) return i;
      i = (i + 1) & this.mask;
    }
  }

  /** Backward-shift deletion keeps linear probing correct without tombstones. */
  private remove(h: number, l: number): void {
    const t = this.table;
    let i = this.find(h, l);
    if (i < 0) return;
    let j = i;
    for (;;) {
      j = (j + 1) & this.mask;
      if (t[2 * j] === 0 && t[2 * j + 1] === 0) break;
      const k = slotOf(t[2 * j], t[2 * j + 1]) & this.mask;
      if ((j > i && (k <= i || k > j)) || (j < i && k <= i && k > j)) {
        t[2 * i] = t[2 * j];
        t[2 * i + 1] = t[2 * j + 1];
        i = j;
      }
    }
    t[2 * i] = 0;
    t[2 * i + 1] = 0;
  }
}

const slotOf = (h: number, l: number) => l ^ Math.imul(h, 0x9e3779b1);

/** The last hash computed by hashInto: [high half, low half]. */
const H = new Uint32Array(2);

/** Two independent 32-bit FNV-1a style hashes of a string, never both zero, into H. */
function hashInto(s: string): void {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  a ^= a >>> 16;
  a = Math.imul(a, 0x85ebca6b) >>> 0;
  b = Math.imul(b ^ (b >>> 13), 0xc2b2ae35) >>> 0;
  if (a === 0 && b === 0) a = 1;
  H[0] = a;
  H[1] = b;
}

/** Two independent 32-bit FNV-1a style hashes of a string, never both zero. */
export function hash64(s: string): [number, number] {
  hashInto(s);
  return [H[0], H[1]];
}
