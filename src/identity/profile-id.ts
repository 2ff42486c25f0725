import { randomBytes, randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
let lastMs = 0;
let counter = 0;
const prefix = randomBytes(8);

/** Random bytes drawn a page at a time: a new millisecond takes five. */
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

/** A random start for a millisecond's counter, below 2³⁹: room for 2³⁹ ids more within the millisecond. */
function randomStart(): number {
  if (poolAt + 5 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const v = (pool[poolAt] & 0x7f) * 2 ** 32 + pool.readUInt32BE(poolAt + 1);
  poolAt += 5;
  return v;
}

/**
 * A new profile id: time-ordered (ULID-like, 26 characters, Crockford base32), so new profiles
 * land at the end of the store's indexes instead of scattering writes across them. Decision ids
 * are made so too, and a decision's id is what an outcome reported with the public write key
 * names: each millisecond's counter starts at a random point (39 random bits), so an id is not
 * guessed from another (until 2026-12-08 it started at 0, and the rest was fixed per process: the
 * ids of a server-only decision made between two a browser saw were found in 57 tries).
 *
 * @example
 * newProfileId(); // '01JDF3V9Q8K2M7X4N6R0T5W3YB'
 */
export function newProfileId(now = Date.now()): string {
  if (now <= lastMs) counter += 1;
  else {
    lastMs = now;
    counter = randomStart();
  }
  let out = '';
  let t = lastMs;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[t % 32] + out;
    t = Math.floor(t / 32);
  }
  // 40 bits of counter (from a random start, monotonic within a millisecond) then 40 bits fixed per process.
  let c = counter;
  let tail = '';
  for (let i = 0; i < 8; i++) {
    tail = ALPHABET[c % 32] + tail;
    c = Math.floor(c / 32);
  }
  for (let i = 0; i < 8; i++) tail += ALPHABET[prefix[i] % 32];
  return out + tail;
}

const VALUE = new Map([...ALPHABET].map((ch, i) => [ch.charCodeAt(0), i]));

/** Characters [from, to) of an id read as base-32 digits, or -1 when one is not of the alphabet. */
function digits(id: string, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) {
    const d = VALUE.get(id.charCodeAt(i));
    if (d === undefined) return -1;
    v = v * 32 + d;
  }
  return v;
}

/**
 * Appends an id made by {@link newProfileId} to `out` as three exact numbers (its 50-bit time and
 * two 40-bit halves of the rest), so a ledger can hold millions of ids without a string each.
 * Returns false, appending nothing, for an id of any other form.
 *
 * @example
 * const out: number[] = []; packId('01JDF3V9Q8K2M7X4N6R0T5W3YB', out); unpackId(out[0], out[1], out[2]); // the same id
 */
export function packId(id: string, out: number[]): boolean {
  if (id.length !== 26) return false;
  const a = digits(id, 0, 10);
  const b = digits(id, 10, 18);
  const c = digits(id, 18, 26);
  if (a < 0 || b < 0 || c < 0) return false;
  out.push(a, b, c);
  return true;
}

/** The id {@link packId} packed into these three numbers. */
export function unpackId(a: number, b: number, c: number): string {
  return base32(a, 10) + base32(b, 8) + base32(c, 8);
}

function base32(v: number, width: number): string {
  let s = '';
  for (let i = 0; i < width; i++) {
    s = ALPHABET[v % 32] + s;
    v = Math.floor(v / 32);
  }
  return s;
}
