import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { assign, bucketHash, bucketRanges, chooseArm } from './assignment.js';
import { sampleRatioMismatch } from './srm.js';

// Source: GrowthBook SDK conformance cases, growthbook/growthbook packages/sdk-js/test/cases.json
// ("hash": [seed, value, version, expected]; "getBucketRange"; "feature" → "empty experiment rule").
const HASH_VECTORS: Array<[string, string, 1 | 2, number]> = [
  ['', 'a', 1, 0.22],
  ['', 'b', 1, 0.077],
  ['b', 'a', 1, 0.946],
  ['ef', 'd', 1, 0.652],
  ['asdf', '8952klfjas09ujk', 1, 0.549],
  ['', '123', 1, 0.011],
  ['', '___)((*":&', 1, 0.563],
  ['seed', 'a', 2, 0.0505],
  ['seed', 'b', 2, 0.2696],
  ['foo', 'ab', 2, 0.2575],
  ['foo', 'def', 2, 0.2019],
  ['89123klj', '8952klfjas09ujkasdf', 2, 0.124],
  ['90850943850283058242805', '123', 2, 0.7516],
  ['()**(%$##$%#$#', '___)((*":&', 2, 0.0128],
];

describe('bucket hash (GrowthBook cases.json vectors)', () => {
  it.each(HASH_VECTORS)('hash(%j, %j, v%i) = %f', (seed, value, version, expected) => {
    expect(bucketHash(seed, value, version)).toBe(expected);
  });
});

describe('bucket ranges (GrowthBook cases.json getBucketRange)', () => {
  const round = (r: Array<[number, number]>) => r.map(([a, b]) => [+a.toFixed(6), +b.toFixed(6)]);
  it('normal, reduced coverage, uneven weights, fallbacks', () => {
    expect(round(bucketRanges(2, 1))).toEqual([[0, 0.5], [0.5, 1]]);
    expect(round(bucketRanges(2, 0.5))).toEqual([[0, 0.25], [0.5, 0.75]]);
    expect(round(bucketRanges(3, 0.2, [0.2, 0.3, 0.5]))).toEqual([[0, 0.04], [0.2, 0.26], [0.5, 0.6]]);
    expect(round(bucketRanges(2, -0.2))).toEqual([[0, 0], [0.5, 0.5]]);
    expect(round(bucketRanges(2, 1, [0.4, 0.1]))).toEqual([[0, 0.5], [0.5, 1]]);
    expect(round(bucketRanges(4, 1, [0.4, 0.4, 0.2]))).toEqual([[0, 0.25], [0.25, 0.5], [0.5, 0.75], [0.75, 1]]);
    expect(round(bucketRanges(2, 1, [0.4, 0.5999]))).toEqual([[0, 0.4], [0.4, 0.9999]]);
  });
  it('picks the same variations as the GrowthBook SDK ("empty experiment rule" a/b/c cases)', () => {
    const ranges = bucketRanges(3);
    expect(chooseArm(bucketHash('feature', '123', 1), ranges)).toBe(2); // bucket 0.863
    expect(chooseArm(bucketHash('feature', '456', 1), ranges)).toBe(0); // bucket 0.178
    expect(chooseArm(bucketHash('feature', 'fds', 1), ranges)).toBe(1); // bucket 0.514
  });
});

describe('assign', () => {
  const design = { salt: 'exp-1', arms: [{ id: 'control', weight: 1 }, { id: 'b', weight: 1 }, { id: 'c', weight: 2 }] };
  const holdout = { salt: 'tact-holdout', share: 0.05 };

  it('is deterministic (property)', () => {
    fc.assert(
      fc.property(fc.string(), (id) => {
        expect(assign(id, design, holdout)).toEqual(assign(id, design, holdout));
      }),
    );
  });

  it('splits 100,000 subjects by weight and holds out 5% (no sample-ratio mismatch)', () => {
    const counts = { holdout: 0, control: 0, b: 0, c: 0 } as Record<string, number>;
    for (let i = 0; i < 100_000; i++) {
      const a = assign(`user-${i}`, design, holdout);
      counts[a.kind === 'arm' ? a.armId : a.kind]++;
    }
    expect(Math.abs(counts.holdout / 100_000 - 0.05)).toBeLessThan(0.005);
    const srm = sampleRatioMismatch([counts.control, counts.b, counts.c], [0.25, 0.25, 0.5]);
    expect(srm.mismatch).toBe(false);
  });

  it('holds out the same subjects in every experiment', () => {
    const other = { salt: 'exp-2', arms: [{ id: 'x', weight: 1 }, { id: 'y', weight: 1 }] };
    for (let i = 0; i < 2000; i++) {
      const id = `u${i}`;
      expect(assign(id, design, holdout).kind === 'holdout').toBe(assign(id, other, holdout).kind === 'holdout');
    }
  });

  it('excludes subjects outside coverage', () => {
    let excluded = 0;
    for (let i = 0; i < 10_000; i++) if (assign(`s${i}`, { ...design, coverage: 0.5 }).kind === 'excluded') excluded++;
    expect(Math.abs(excluded / 10_000 - 0.5)).toBeLessThan(0.03);
  });

  it('moves only the buckets that change owner when weights are edited (docs/measure.md)', () => {
    const arms = (w: number) => ({ salt: 'ramp', arms: [{ id: 'control', weight: 1 - w }, { id: 'new', weight: w }] });
    for (let i = 0; i < 5000; i++) {
      const before = assign(`s${i}`, arms(0.1));
      const after = assign(`s${i}`, arms(0.5));
      if (before.kind !== 'arm' || after.kind !== 'arm') throw new Error('no holdout, full coverage');
      const moves = before.bucket >= 0.5 && before.bucket < 0.9;
      expect(after.armId).toBe(moves ? 'new' : before.armId);
    }
  });
});
