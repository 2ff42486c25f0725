import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdentityIndex } from './identity-index.js';
import { DEFAULT_MERGE_RULES, withDefaults, type MergeRules } from './merge-rules.js';
import { resolveIdentity } from './resolve.js';
import type { Identifier } from './identifiers.js';

const uid = (v: string): Identifier => ({ kind: 'userId', value: v });
const anon = (v: string): Identifier => ({ kind: 'anonymousId', value: v });
const email = (v: string): Identifier => ({ kind: 'email', value: v });

/** Resolves the messages in order; `from` messages ran on `index` before (under other rules, say). */
function run(rules: MergeRules, messages: Identifier[][], index = new IdentityIndex(), from = 0) {
  let n = from;
  const results = messages.map((ids, i) => resolveIdentity(index, ids, rules, { messageId: `m${from + i}`, at: from + i, reason: 'identify', newId: () => `p${n++}` }));
  return { index, results };
}

const userIdsOf = (index: IdentityIndex, profileId: string) => index.identitiesOf(profileId).filter((i) => i.kind === 'userId').map((i) => i.value);

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
    // Bob is new, yet joining him to the device's profile is a merge of two people: worded as the
    // merge of his profile with it will be on his next message, so the conflict stays one row.
    expect(results[1].dropped).toEqual([{ ...anon('d'), reason: 'merging would give one profile 2 userId values and the merge rules allow 1' }]);
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

  it('says a sixth e-mail is being added to the profile, not merged', () => {
    const fiveEmails = [1, 2, 3, 4, 5].map((i) => [uid('u'), email(`e${i}@x.io`)]);
    const { results } = run(DEFAULT_MERGE_RULES, [...fiveEmails, [uid('u'), email('e6@x.io')]]);
    expect(results[5].profileId).toBe(results[0].profileId);
    expect(results[5].dropped).toEqual([{ ...email('e6@x.io'), reason: 'adding it to the profile would give the profile 6 email values and the merge rules allow 5' }]);
  });

  it('lets a profile over a limit lowered since keep what it has and gain other kinds, but no more of that kind', () => {
    // Under { userId: 2 } one profile took two userIds (an alias); then the operator lowered the limit to 1.
    const { index, results: before } = run(withDefaults({ limits: { userId: 2 } }), [[uid('u1')], [uid('u1'), uid('u2')]]);
    const p = before[0].profileId;
    const { results } = run(DEFAULT_MERGE_RULES, [[uid('u2'), anon('lim-new')], [anon('lim-new')], [uid('u1'), email('a@x.io')], [uid('u2'), uid('u3')]], index, 2);
    // An anonymousId and an e-mail add no userId: they join the profile.
    expect(results.slice(0, 3).map((r) => [r.profileId, r.created, r.dropped])).toEqual([[p, false, []], [p, false, []], [p, false, []]]);
    expect(index.lookup(anon('lim-new'))).toBe(p);
    expect(index.lookup(email('a@x.io'))).toBe(p);
    // A third userId would: it is dropped, and the profile keeps the two it has.
    expect(results[3].dropped).toEqual([{ ...uid('u3'), reason: 'adding it to the profile would give the profile 3 userId values and the merge rules allow 1' }]);
    expect(userIdsOf(index, p)).toEqual(['u1', 'u2']);
  });

  it('keeps the stronger identifier when a new userId meets a profile over a lowered limit', () => {
    const { index } = run(withDefaults({ limits: { userId: 2 } }), [[uid('u1'), anon('a')], [uid('u1'), uid('u2')]]);
    const { results } = run(DEFAULT_MERGE_RULES, [[uid('u3'), anon('a')]], index, 2);
    // The userId wins: the anonymousId stays where it was, and the new user gets a profile of their own.
    expect(results[0].created).toBe(true);
    expect(results[0].dropped).toEqual([{ ...anon('a'), reason: 'merging would give one profile 3 userId values and the merge rules allow 1' }]);
    expect(index.lookup(anon('a'))).toBe('p0');
    expect(userIdsOf(index, results[0].profileId)).toEqual(['u3']);
  });

  it('merges a profile over a lowered limit with one holding none of that kind, and not with one holding some', () => {
    const { index } = run(withDefaults({ limits: { userId: 2 } }), [[anon('visit')], [uid('u1')], [uid('u1'), uid('u2')], [uid('u3')]]);
    const { results } = run(DEFAULT_MERGE_RULES, [[uid('u2'), anon('visit')], [uid('u1'), uid('u3')]], index, 4);
    // The visitor's profile (the older) takes the user's two userIds: it had none, the merged one no more than the user's had.
    expect(results[0].merges).toEqual([expect.objectContaining({ from: 'p1', into: 'p0', via: anon('visit') })]);
    expect(userIdsOf(index, 'p0')).toEqual(['u1', 'u2']);
    expect(results[1].merges).toEqual([]);
    expect(results[1].dropped).toEqual([{ ...uid('u3'), reason: 'merging would give one profile 3 userId values and the merge rules allow 1' }]);
  });

  it('never drops an anonymousId no profile held, whatever limits were lowered before (property)', () => {
    const idArb = fc.oneof(fc.integer({ min: 0, max: 4 }).map((i) => uid(`u${i}`)), fc.integer({ min: 0, max: 6 }).map((i) => anon(`a${i}`)));
    const msgArb = fc.uniqueArray(idArb, { minLength: 1, maxLength: 3, selector: (i) => `${i.kind}:${i.value}` }).map((ids) => [...ids].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'userId' ? -1 : 1)));
    fc.assert(
      fc.property(fc.array(msgArb, { maxLength: 20 }), fc.array(msgArb, { minLength: 1, maxLength: 20 }), (before, after) => {
        const { index } = run(withDefaults({ limits: { userId: 3 } }), before);
        after.forEach((ids, i) => {
          const unknown = ids.filter((id) => id.kind === 'anonymousId' && index.lookup(id) === undefined);
          const [r] = run(DEFAULT_MERGE_RULES, [ids], index, before.length + i).results;
          for (const id of unknown) expect(r.dropped).not.toContainEqual(expect.objectContaining(id));
        });
      }),
      { numRuns: 300 },
    );
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
