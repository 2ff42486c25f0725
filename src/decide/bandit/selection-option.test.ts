import { describe, expect, it } from 'vitest';
import { checkCatalog } from '../catalog.js';
import { compileSelection, contextVector, featureReader } from './selection-option.js';

describe('the selection option of a placement', () => {
  it('reads numbers, booleans as 1/0, `path=value` as an indicator, anything else as 0', () => {
    const sel = compileSelection({ kind: 'thompson', features: ['context.mobile', 'features.orders', 'traits.plan=pro', 'traits.missing'] });
    expect([...contextVector(sel, { context: { mobile: true }, features: { orders: 3 }, traits: { plan: 'pro' } })]).toEqual([1, 3, 1, 0]);
    expect(featureReader('traits.plan=pro')({ traits: { plan: 'free' } })).toBe(0);
    expect(compileSelection(undefined).kind).toBe('epsilon-greedy');
  });

  it('names each bad field of a selection option', () => {
    const problems = checkCatalog({ placements: [{ id: 'p', channel: 'web', selection: { kind: 'ucb', features: ['page.url', 'context'], floor: 2, extra: 1 } }] });
    expect(problems.map((p) => p.field)).toEqual(expect.arrayContaining([
      'placements[0].selection.kind', 'placements[0].selection.features[0]', 'placements[0].selection.features[1]', 'placements[0].selection.floor', 'placements[0].selection.extra',
    ]));
    expect(checkCatalog({ placements: [{ id: 'p', channel: 'web', selection: { kind: 'thompson', features: ['context.mobile'] } }] })).toEqual([]);
  });

  it('refuses the bandit\'s settings without `kind: thompson`, a feature listed twice, and one ending in `=` (each was taken and ignored, QA 2026-12-05)', () => {
    const fields = (selection: object) => checkCatalog({ placements: [{ id: 'p', channel: 'web', selection }] }).map((p) => p.field);
    expect(fields({ features: ['context.x'], floor: 0.2 })).toEqual(['placements[0].selection.features', 'placements[0].selection.floor']);
    expect(fields({ kind: 'epsilon-greedy', priorVariance: 2 })).toEqual(['placements[0].selection.priorVariance']);
    expect(fields({ kind: 'thompson', features: ['context.x', 'context.x', 'traits.plan='] })).toEqual(['placements[0].selection.features[1]', 'placements[0].selection.features[2]']);
    expect(checkCatalog({ placements: [{ id: 'p', channel: 'web', selection: { features: ['context.x'] } }] })[0].message).toBe('The `placements[0].selection.features` is a setting of the contextual bandit, which needs `placements[0].selection.kind: thompson`; without a `kind` the placement selects by ε-greedy and would ignore it.');
    expect(fields({ kind: 'epsilon-greedy' })).toEqual([]);
  });
});
