import { describe, expect, it } from 'vitest';
import { catalogPurposeWarnings } from './catalog-purposes.js';

const action = (id: string, purpose?: string) => ({ id, name: id, channels: ['web'], ...(purpose === undefined ? {} : { purpose }) });

describe('an action purpose that is an earlier one but for case or spaces', () => {
  it('is warned of, naming the field and the spelling first used; the same spelling, or none, is not', () => {
    const catalog = { actions: [action('a', 'Advertising'), action('b', 'Advertising'), action('c'), action('d', 'advertising'), action('e', ' ADVERTISING '), action('f', 'Email')] };
    const w = catalogPurposeWarnings(catalog);
    expect(w.map((x) => x.field)).toEqual(['actions[3].purpose', 'actions[4].purpose']);
    expect(w[0].message).toMatch(/^The `actions\[3\]\.purpose` `advertising` of `d` is the purpose `Advertising` of an earlier action/);
  });
});
