import { hash64 } from './recent-ids.js';

/**
 * Every identifier the embedded store holds, as 64-bit hashes in a growable open-addressing
 * table (16 bytes an entry, more as it fills). Answers "certainly not stored" without reading the
 * identities table, which is what resolving a new visitor's first event needs; a "maybe" is
 * confirmed by the table. Built at start from the identities table; entries are never removed
 * (identities are not deleted, they move between profiles).
 *
 * @example
 * const k = new KnownIds(); k.add('userId\0u1'); k.mayHave('userId\0u2'); // false
 */
export class KnownIds {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private mask: number;
  private count = 0;

  constructor(initial = 1 << 16) {
    this.hi = new Uint32Array(initial);
    this.lo = new Uint32Array(initial);
    this.mask = initial - 1;
  }

  get size(): number {
    return this.count;
  }

  mayHave(key: string): boolean {
    const [h, l] = hash64(key);
    let i = (l ^ Math.imul(h, 0x9e3779b1)) & this.mask;
    for (;;) {
      const a = this.hi[i];
      const b = this.lo[i];
      if (a === 0 && b === 0) return false;
      if (a === h && b === l) return true;
      i = (i + 1) & this.mask;
    }
  }

  add(key: string): void {
    const [h, l] = hash64(key);
    if (this.insert(h, l) && ++this.count * 2 > this.hi.length) this.grow();
  }

  private insert(h: number, l: number): boolean {
    let i = (l ^ Math.imul(h, 0x9e3779b1)) & this.mask;
    for (;;) {
      const a = this.hi[i];
      const b = this.lo[i];
      if (a === 0 && b === 0) break;
      if (a === h && b === l) return false;
      i = (i + 1) & this.mask;
    }
    this.hi[i] = h;
    this.lo[i] = l;
    return true;
  }

  private grow(): void {
    const oldHi = this.hi;
    const oldLo = this.lo;
    this.hi = new Uint32Array(oldHi.length * 2);
    this.lo = new Uint32Array(oldLo.length * 2);
    this.mask = this.hi.length - 1;
    for (let i = 0; i < oldHi.length; i++) if (oldHi[i] !== 0 || oldLo[i] !== 0) this.insert(oldHi[i], oldLo[i]);
  }
}
