import { describe, expect, it } from 'vitest';
import { extract, featureNumber } from './property-values.js';

describe('extract: a property path reads only what the event sent', () => {
  it('reads own keys, and every element of a list under `[]`', () => {
    expect(extract({ products: [{ id: 'a' }, { id: 'b' }, {}] }, ['products[]', 'id'])).toEqual(['a', 'b']);
    expect(extract({ a: { b: 0 } }, ['a', 'b'])).toEqual([0]);
    // A key the event itself sent under a name JavaScript also uses is read like any other.
    expect(extract({ constructor: 'Ferrari', size: { length: 4.5 } }, ['constructor'])).toEqual(['Ferrari']);
    expect(extract({ size: { length: 4.5 } }, ['size', 'length'])).toEqual([4.5]);
  });

  it('does not read what JavaScript adds: inherited members, a list\'s length, a list\'s items by index', () => {
    // Found by QA: `constructor` read Object's function, `toString` a native function's text,
    // `laps.length` summed a list's length.
    const e = { circuit: 'Monza', laps: [1, 2, 3], products: [{ id: 'a' }] };
    for (const path of [['constructor'], ['toString'], ['__proto__'], ['hasOwnProperty'], ['laps', 'length'], ['laps', '0'], ['laps', 'constructor'], ['circuit', 'length'], ['products[]', 'constructor'], ['laps[]', 'toFixed'], ['constructor', 'name']]) {
      expect(extract(e, path), path.join('.')).toEqual([]);
    }
    // A list inside a list is no object either.
    expect(extract({ laps: [[1, 2]] }, ['laps[]', 'length'])).toEqual([]);
  });
});

describe('featureNumber: the values a numeric feature counts', () => {
  it('counts JSON numbers and strings that are a JSON number exactly', () => {
    const read: [unknown, number][] = [[12, 12], ['12', 12], ['0', 0], ['7.5', 7.5], ['0.25', 0.25], ['-3', -3], ['1e3', 1000], ['1E-2', 0.01], ['2e+2', 200], ['-0', -0]];
    for (const [v, x] of read) expect(featureNumber(v), JSON.stringify(v)).toBe(x);
  });

  it('does not count text JSON would not read as a number: padding, leading zeros, a trailing point, a plus, a bare fraction', () => {
    // Found by QA: "0012", "1." and tab- or space-padded numbers were summed.
    for (const v of ['0012', '007', '-01', '1.', '5.', ' 12', '12 ', ' 12 ', '\t7', '7\n', '+4', '.5', '-.5', '1.e3', '\u00a012']) {
      expect(featureNumber(v), JSON.stringify(v)).toBeUndefined();
    }
  });

  it('does not count hex, binary or octal text, Infinity, nor other text', () => {
    // Found by QA: "0x10" summed as 16, "0b11" as 3 (Number() reads them).
    for (const v of ['0x10', '0X1f', '0b11', '0o7', 'Infinity', '-Infinity', 'NaN', '', '  ', '1,5', '12abc', '١٢', '1e', 'e3', '1_000', '--1', true, null, [7], { amount: 5 }]) {
      expect(featureNumber(v), JSON.stringify(v)).toBeUndefined();
    }
  });
});
