import { describe, expect, it } from 'vitest';
import { compileCatalog } from '../catalog-compile.js';
import type { Action } from '../catalog.js';
import { reviewedContent } from './approved-content.js';

const loan: Action = { id: 'loan', name: 'Loan', channels: ['web'], value: 300, highStakes: true, properties: { apr: '0%', term: { months: 3, fee: 0 } }, variants: [{ id: 'std', content: { headline: 'Pay in 3', apr: '0%' } }] };
const fingerprint = (a: Action, variant: string | null = 'std') => reviewedContent(compileCatalog({ actions: [a] }).actions.get(a.id)!, variant);

describe('the fingerprint of the content a review is of', () => {
  it('changes with what the customer receives: the variant\'s content, the properties, the name, the customer reason', () => {
    const base = fingerprint(loan);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprint({ ...loan, variants: [{ id: 'std', content: { headline: 'Pay in 3', apr: '29.9%' } }] })).not.toBe(base);
    expect(fingerprint({ ...loan, properties: { apr: '0%', term: { months: 6, fee: 0 } } })).not.toBe(base);
    expect(fingerprint({ ...loan, name: 'Loan, 6 months' })).not.toBe(base);
    expect(fingerprint({ ...loan, customerReason: 'you asked about paying later' })).not.toBe(base);
    expect(fingerprint(loan, null)).not.toBe(base);
  });

  it('does not change with what the customer does not receive, nor with the order keys are written in', () => {
    const base = fingerprint(loan);
    expect(fingerprint({ ...loan, value: 500, contactCost: 2, eligibility: 'features.orders >= 1.0', topics: ['finance'] })).toBe(base);
    expect(fingerprint({ ...loan, properties: { term: { fee: 0, months: 3 }, apr: '0%' }, variants: [{ id: 'std', content: { apr: '0%', headline: 'Pay in 3' } }, { id: 'new', content: { headline: 'Other' } }] })).toBe(base);
  });
});
