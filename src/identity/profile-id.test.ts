import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newProfileId, packId, unpackId } from './profile-id.js';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

describe('profile and decision ids', () => {
  it('are time-ordered: later ids sort after earlier ones', () => {
    const a = newProfileId(1_700_000_000_000);
    const b = newProfileId(1_700_000_000_000);
    const c = newProfileId(1_700_000_000_001);
    expect(a < b && b < c).toBe(true);
    expect(a).toHaveLength(26);
  });

  it('are not guessed from one another: each millisecond\'s counter starts at a random point (a decision\'s id is what a write-key outcome names)', () => {
    const counters = new Set<string>();
    for (let ms = 0; ms < 200; ms++) counters.add(newProfileId(1_800_000_000_000 + ms).slice(10, 18));
    // 39 random bits each: 200 draws all different, and none the old start at 0.
    expect(counters.size).toBe(200);
    expect(counters.has('00000000')).toBe(false);
    // Within one millisecond they still follow one another.
    const a = newProfileId(1_800_000_001_000);
    const b = newProfileId(1_800_000_001_000);
    expect(a < b).toBe(true);
  });

  it('pack into three exact numbers and back, for every id of their form', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...ALPHABET), { minLength: 26, maxLength: 26 }), (chars) => {
        const id = chars.join('');
        const out: number[] = [];
        expect(packId(id, out)).toBe(true);
        expect(out).toHaveLength(3);
        for (const v of out) expect(Number.isSafeInteger(v)).toBe(true);
        expect(unpackId(out[0], out[1], out[2])).toBe(id);
      }),
      { numRuns: 500 },
    );
    const id = newProfileId();
    const out: number[] = [];
    packId(id, out);
    expect(unpackId(out[0], out[1], out[2])).toBe(id);
  });

  it('leave any other id unpacked', () => {
    const out: number[] = [];
    for (const id of ['d1', '', 'x'.repeat(26), '01JDF3V9Q8K2M7X4N6R0T5W3Y', '01JDF3V9Q8K2M7X4N6R0T5W3YB0', '01jdf3v9q8k2m7x4n6r0t5w3yb', '01JDF3V9Q8K2M7X4N6R0T5W3YI']) expect(packId(id, out)).toBe(false);
    expect(out).toEqual([]);
  });
});
