/**
 * The dedupe window of the embedded store: the 64-bit hashes of the most recent message ids, in an
 * open-addressing table with first-in-first-out eviction. A B-tree index on random message ids
 * would cost a page write per event; this costs 16 bytes per id in memory. A false "duplicate"
 * needs a 64-bit collision among the ids in the window (about 1 in 4·10^12 per message at the
 * default window of 4 million). Rebuilt from the event log at start.
 *
 * @example
 * const ids = new RecentIds(1000); ids.add('m-1'); ids.has('m-1'); // true
 */
export class RecentIds {
  private readonly hi: Uint32Array;
  private readonly lo: Uint32Array;
  private readonly mask: number;
  private readonly ringHi: Uint32Array;
  private readonly ringLo: Uint32Array;
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    let size = 1;
    while (size < capacity * 2) size <<= 1;
    this.hi = new Uint32Array(size);
    this.lo = new Uint32Array(size);
    this.mask = size - 1;
    this.ringHi = new Uint32Array(capacity);
    this.ringLo = new Uint32Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  has(id: string): boolean {
    const [h, l] = hash64(id);
    return this.find(h, l) >= 0;
  }

  /** Adds an id (evicting the oldest when the window is full). */
  add(id: string): void {
    const [h, l] = hash64(id);
    if (this.find(h, l) >= 0) return;
    if (this.count === this.capacity) {
      this.remove(this.ringHi[this.head], this.ringLo[this.head]);
      this.count -= 1;
    }
    this.insert(h, l);
    this.ringHi[this.head] = h;
    this.ringLo[this.head] = l;
    this.head = (this.head + 1) % this.capacity;
    this.count += 1;
  }

  private find(h: number, l: number): number {
    let i = (l ^ Math.imul(h, 0x9e3779b1)) & this.mask;
    for (;;) {
      const a = this.hi[i];
      const b = this.lo[i];
      if (a === 0 && b === 0) return -1;
      if (a === h && b === l) return i;
      i = (i + 1) & this.mask;
    }
  }

  private insert(h: number, l: number): void {
    let i = (l ^ Math.imul(h, 0x9e3779b1)) & this.mask;
    while (this.hi[i] !== 0 || this.lo[i] !== 0) i = (i + 1) & this.mask;
    this.hi[i] = h;
    this.lo[i] = l;
  }

  /** Backward-shift deletion keeps linear probing correct without tombstones. */
  private remove(h: number, l: number): void {
    let i = this.find(h, l);
    if (i < 0) return;
    let j = i;
    for (;;) {
      j = (j + 1) & this.mask;
      if (this.hi[j] === 0 && this.lo[j] === 0) break;
      const k = (this.lo[j] ^ Math.imul(this.hi[j], 0x9e3779b1)) & this.mask;
      if ((j > i && (k <= i || k > j)) || (j < i && k <= i && k > j)) {
        this.hi[i] = this.hi[j];
        this.lo[i] = this.lo[j];
        i = j;
      }
    }
    this.hi[i] = 0;
    this.lo[i] = 0;
  }
}

/** Two independent 32-bit FNV-1a style hashes of a string, never both zero. */
export function hash64(s: string): [number, number] {
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
  return [a, b];
}
