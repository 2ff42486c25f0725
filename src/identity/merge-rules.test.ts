import { describe, expect, it } from 'vitest';
import { checkMergeRules, DEFAULT_MERGE_RULES, isBlocked, withDefaults } from './merge-rules.js';

describe('merge rules an operator sets', () => {
  it('keep the default limits of the kinds they do not mention', () => {
    const rules = withDefaults({ limits: { userId: 2 } });
    expect(rules.limits).toEqual({ userId: 2, email: 5 });
    expect(rules.blocked).toEqual(DEFAULT_MERGE_RULES.blocked);
    expect(rules.priority).toEqual(DEFAULT_MERGE_RULES.priority);
  });

  it('add their blocked values to the defaults rather than replace them', () => {
    // Segment recommends adding the team's own hard-coded values (such as "void") on top of the suggested ones.
    const rules = withDefaults({ blocked: ['void', 'abc123'] });
    for (const v of ['void', 'ABC123', 'null', 'anonymous', '-1', '']) expect(isBlocked(rules, v), v).toBe(true);
  });

  it('lift a default only when they say so: a limit set to null, a value listed in `unblocked`', () => {
    const rules = withDefaults({ limits: { email: null }, unblocked: ['0', 'Guest'] });
    expect(rules.limits).toEqual({ userId: 1 });
    expect(isBlocked(rules, '0')).toBe(false);
    expect(isBlocked(rules, 'guest')).toBe(false);
    expect(isBlocked(rules, 'null')).toBe(true);
    // The empty value is never an identifier, whatever the rules say.
    expect(isBlocked(withDefaults({ unblocked: [''] }), ' ')).toBe(true);
  });

  it('are checked, naming the field', () => {
    expect(checkMergeRules({ limits: { email: null } })).toEqual([]);
    expect(checkMergeRules({ limits: { email: 0 } }).map((p) => p.field)).toEqual(['limits.email']);
    expect(checkMergeRules({ unblocked: 'null' }).map((p) => p.field)).toEqual(['unblocked']);
  });
});

describe('the merge-rules document', () => {
  it('takes `unblocked` as one of its fields', async () => {
    const { mergeRulesKind } = await import('./merge-rules-kind.js');
    const { unknownFields } = await import('../config/document-kind.js');
    expect(unknownFields({ limits: {}, blocked: [], unblocked: [], priority: [] }, mergeRulesKind.fields ?? [])).toEqual([]);
  });
});
