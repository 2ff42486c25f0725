import { describe, expect, it } from 'vitest';
import { compileCatalog, type CompiledAction } from '../catalog-compile.js';
import type { Action } from '../catalog.js';
import { reviewedContent } from './approved-content.js';

/**
 * The action with its definition's content read through a counter: each fingerprint computed reads
 * the content once. (Counted on the object, not by mocking node:crypto: test files share their
 * worker's modules, so a module mock would miss a module another file loaded first.)
 */
function counted(action: CompiledAction): { action: CompiledAction; reads: () => number } {
  let reads = 0;
  const def = action.def;
  const watched = new Proxy(def, { get: (t, k, r) => (k === 'properties' && reads++, Reflect.get(t, k, r)) });
  return { action: { ...action, def: watched } as CompiledAction, reads: () => reads };
}

const loan = (apr: string): Action => ({ id: 'loan', name: 'Loan', channels: ['web'], highStakes: true, variants: [{ id: 'std', content: { apr } }, { id: 'alt', content: { apr, short: true } }] });

describe('the fingerprint of a review\'s content, as every decision that consults a review asks for it', () => {
  it('is hashed once per catalog version, action and variant, not at each decision', () => {
    const { action: v1, reads } = counted(compileCatalog({ actions: [loan('0%')] }).actions.get('loan')!);
    const first = reviewedContent(v1, 'std');
    for (let decision = 0; decision < 50; decision++) expect(reviewedContent(v1, 'std')).toBe(first);
    expect(reads()).toBe(1);
    expect(reviewedContent(v1, 'alt')).not.toBe(first);
    expect(reads()).toBe(2);
  });

  it('is the new content\'s in a new catalog version, and the old version\'s stays its own', () => {
    const v1 = compileCatalog({ actions: [loan('0%')] }).actions.get('loan')!;
    const v2 = compileCatalog({ actions: [loan('29.9%')] }).actions.get('loan')!;
    const same = compileCatalog({ actions: [loan('0%')] }).actions.get('loan')!;
    const old = reviewedContent(v1, 'std');
    expect(reviewedContent(v2, 'std')).not.toBe(old);
    expect(reviewedContent(v1, 'std')).toBe(old);
    expect(reviewedContent(same, 'std')).toBe(old);
  });
});
