import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdentityIndex } from './identity-index.js';
import { DEFAULT_MERGE_RULES, withDefaults, type MergeRules } from './merge-rules.js';
import { resolveIdentity } from './resolve.js';
import type { Identifier } from './identifiers.js';

const uid = (v: string): Identifier => ({ kind: 'userId', value: v });
const anon = (v: string): Identifier => ({ kind: 'anonymousId', value: v });
const email = (v: string): Identifier => ({ kind: 'email', value: v });

function run(rules: MergeRules, messages: Identifier[][]) {
  const index = new IdentityIndex();
  let n = 0;
  const results = messages.map((ids, i) => resolveIdentity(index, ids, rules, { messageId: `m${i}`, at: i, reason: 'identify', newId: () => `p${n++}` }));
  return { index, results };
}

describe('resolveIdentity', () => {
  it('keeps the anonymous profile (the older one) when a visitor signs up', () => {
    const { results } = run(DEFAULT_MERGE_RULES, [[anon('a')], [uid('u'), anon('a')]]);
    expect(results[1].profileId).toBe(results[0].profileId);
    expect(results[1].created).toBe(false);
  });

  it('merges two existing profiles into the older and records by which identifier', () => {
    const { results } = run(DEFAULT_MERGE_RULES, [[anon('a')], [uid('u')], [uid('u'), anon('a')]]);
    expect(results[2].merges).toEqual([{ from: 'p1', into: 'p0', messageId: 'm2', at: 2, reason: 'identify', via: anon('a') }]);
  });

  it('drops the weaker identifier when a merge would give a profile two userIds (shared device)', () => {
    const { results } = run(DEFAULT_MERGE_RULES, [[uid('alice'), anon('d')], [uid('bob'), anon('d')]]);
    expect(results[1].profileId).not.toBe(results[0].profileId);
    expect(results[1].dropped).toEqual([{ ...anon('d'), reason: expect.stringContaining('2 userId values') }]);
  });

  it('lets the operator raise a limit', () => {
    const rules = withDefaults({ limits: { userId: 2 } });
    const { results } = run(rules, [[uid('alice'), anon('d')], [uid('bob'), anon('d')]]);
    expect(results[1].profileId).toBe(results[0].profileId);
  });

  it('merges through a shared e-mail within its limit', () => {
    const { results } = run(DEFAULT_MERGE_RULES, [[anon('x'), email('a@b.c')], [anon('y'), email('a@b.c')]]);
    expect(results[1].profileId).toBe(results[0].profileId);
  });

  it('holds its invariants for any sequence of messages (property)', () => {
    const idArb = fc.oneof(
      fc.integer({ min: 0, max: 4 }).map((i) => uid(`u${i}`)),
      fc.integer({ min: 0, max: 6 }).map((i) => anon(`a${i}`)),
      fc.integer({ min: 0, max: 3 }).map((i) => email(`e${i}@x.io`)),
    );
    const msgArb = fc.uniqueArray(idArb, { minLength: 1, maxLength: 3, selector: (i) => `${i.kind}:${i.value}` }).map((ids) =>
      [...ids].sort((a, b) => DEFAULT_MERGE_RULES.priority.indexOf(a.kind) - DEFAULT_MERGE_RULES.priority.indexOf(b.kind)),
    );
    fc.assert(
      fc.property(fc.array(msgArb, { minLength: 1, maxLength: 40 }), (messages) => {
        const { index, results } = run(DEFAULT_MERGE_RULES, messages);
        const merged = new Set(results.flatMap((r) => r.merges.map((m) => m.from)));
        messages.forEach((ids, i) => {
          const r = results[i];
          // every identifier of a message is either on its profile now (or on the profile that absorbed it) or was dropped with a reason
          for (const id of ids) {
            const owner = index.lookup(id);
            const dropped = r.dropped.some((d) => d.kind === id.kind && d.value === id.value);
            expect(owner !== undefined || dropped).toBe(true);
          }
        });
        // no live profile breaks a limit, and every identifier has exactly one live owner
        const live = new Set(results.map((r) => r.profileId).filter((p) => !merged.has(p)));
        for (const p of live) {
          const ids = index.identitiesOf(p);
          expect(new Set(ids.filter((i) => i.kind === 'userId').map((i) => i.value)).size).toBeLessThanOrEqual(1);
          expect(new Set(ids.filter((i) => i.kind === 'email').map((i) => i.value)).size).toBeLessThanOrEqual(5);
          for (const i of ids) expect(index.lookup(i)).toBe(p);
        }
        for (const p of merged) expect(index.identitiesOf(p)).toHaveLength(0);
      }),
      { numRuns: 300 },
    );
  });
});
