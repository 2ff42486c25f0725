/**
 * The dedupe window of the embedded store: the 64-bit hashes of the most recent message ids, in an
 * open-addressing table with first-in-first-out eviction. A B-tree index on random message ids
 * would cost a page write per event; this costs 16 bytes per id in memory. A false "duplicate"
 * needs a 64-bit collision among the ids in the window (about 1 in 4·10^12 per message at the
 * default window of 4 million). Rebuilt from the event log at start.
 *
 * Full, the table is tens of megabytes, so each probe is a cache miss: a slot's two halves sit side
 * by side (one miss, not two), an id is added in the probe that finds it absent, and hashing
 * allocates nothing. It starts small and doubles as ids arrive (its ring of ids in arrival order
 * too), up to what the window needs: a store that holds few events (a new server, `tact keys`, a
 * test) does not reserve the 96 MB of a full window of 4 million, which took 26 ms and most of a
 * store's opening to zero (2026-12-04). A doubling re-inserts what the table holds: at 2 million
 * ids, ≈ 0.1 s once, on the way to the full window.
 *
 * @example
 * const ids = new RecentIds(1000); ids.add('m-1'); ids.has('m-1'); // true
 */
export class RecentIds {
  /** Slot i holds its hash in [2i] (high half) and [2i + 1] (low half); 0/0 is empty. */
  private table: Uint32Array;
  private mask: number;
  /** The ids in arrival order (two halves each), a ring once it holds `capacity`. */
  private ring: Uint32Array;
  private head = 0;
  private count = 0;
  /** Slots of the full table: at least twice the window, so probes stay short. */
  private readonly maxSlots: number;

  constructor(readonly capacity: number, initialSlots = INITIAL_SLOTS) {
    let size = 1;
    while (size < capacity * 2) size <<= 1;
    this.maxSlots = size;
    const slots = Math.min(size, Math.max(2, initialSlots));
    this.table = new Uint32Array(slots * 2);
    this.mask = slots - 1;
    this.ring = new Uint32Array(Math.min(capacity, slots >> 1) * 2);
  }

  /** Slots the table has now (it doubles up to twice the window): for tests. */
  get slots(): number {
    return this.mask + 1;
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
      this.insert(h, l);
    } else if (2 * (this.count + 1) > this.mask + 1) {
      // Over half full before the window is: twice the slots, and the ring grows with it.
      this.grow();
      this.insert(h, l);
    } else {
      t[2 * i] = h;
      t[2 * i + 1] = l;
    }
    this.push(h, l);
  }

  private push(h: number, l: number): void {
    if (2 * this.head === this.ring.length && this.head < this.capacity) {
      // Not yet a ring (nothing was evicted, so head = count): the ids so far are copied as they are.
      const ring = new Uint32Array(Math.min(this.capacity, 2 * Math.max(1, this.head)) * 2);
      ring.set(this.ring);
      this.ring = ring;
    }
    this.ring[2 * this.head] = h;
    this.ring[2 * this.head + 1] = l;
    this.head = (this.head + 1) % this.capacity;
    this.count += 1;
  }

  /** Twice the slots (at most the full table's), every id held placed again. */
  private grow(): void {
    const old = this.table;
    const slots = Math.min(this.maxSlots, 2 * (this.mask + 1));
    if (slots === this.mask + 1) return;
    this.table = new Uint32Array(slots * 2);
    this.mask = slots - 1;
    for (let i = 0; i < old.length; i += 2) if (old[i] !== 0 || old[i + 1] !== 0) this.insert(old[i], old[i + 1]);
  }

  /** Places a hash known to be absent in the first empty slot of its probe. */
  private insert(h: number, l: number): void {
    const t = this.table;
    let i = slotOf(h, l) & this.mask;
    while (t[2 * i] !== 0 || t[2 * i + 1] !== 0) i = (i + 1) & this.mask;
    t[2 * i] = h;
    t[2 * i + 1] = l;
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

/** Slots a new window starts with (64 KB): it doubles as ids arrive. */
const INITIAL_SLOTS = 1 << 13;

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
