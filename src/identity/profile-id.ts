import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
let lastMs = 0;
let counter = 0;
const prefix = randomBytes(8);

/**
 * A new profile id: time-ordered (ULID-like, 26 characters, Crockford base32), so new profiles
 * land at the end of the store's indexes instead of scattering writes across them.
 *
 * @example
 * newProfileId(); // '01JDF3V9Q8K2M7X4N6R0T5W3YB'
 */
export function newProfileId(now = Date.now()): string {
  if (now <= lastMs) counter += 1;
  else {
    lastMs = now;
    counter = 0;
  }
  let out = '';
  let t = lastMs;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[t % 32] + out;
    t = Math.floor(t / 32);
  }
  // 40 bits of counter (monotonic within a millisecond) then 40 bits fixed per process.
  let c = counter;
  let tail = '';
  for (let i = 0; i < 8; i++) {
    tail = ALPHABET[c % 32] + tail;
    c = Math.floor(c / 32);
  }
  for (let i = 0; i < 8; i++) tail += ALPHABET[prefix[i] % 32];
  return out + tail;
}
