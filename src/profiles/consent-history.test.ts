import { describe, expect, it } from 'vitest';
import type { Message } from '../collect/message.js';
import { consentHistoryFrom, consentHistoryStatus, type ConsentEvent } from './consent-history.js';
import { applyMessage, mergeProfileStates, newProfileState, type ConsentChange } from './profile-state.js';
import type { ConsentHistoryRow } from './profile-store.js';

const msg = (id: string, t: number, prefs: Record<string, unknown>): Message => ({
  messageId: id, type: 'track', event: 'Page Viewed', properties: {}, context: { consent: { categoryPreferences: prefs } }, timestamp: t, receivedAt: t,
});
const ev = (seq: number, m: Message): ConsentEvent => ({ seq, timestamp: m.timestamp, messageId: m.messageId, message: m });

describe('the late mark', () => {
  it('is set by a statement older than its purpose\'s current one, to the earliest such time, and never by an in-order one (equal times included)', () => {
    const s = newProfileState('p', 0);
    applyMessage(s, msg('a', 10, { Ads: true }), []);
    applyMessage(s, msg('b', 10, { Ads: false }), []);
    applyMessage(s, msg('c', 5, { Other: true }), []); // another purpose: in order for it
    expect(s.consentLateSince).toBeUndefined();
    applyMessage(s, msg('d', 7, { Ads: true }), []);
    applyMessage(s, msg('e', 8, { Ads: true }), []);
    expect(s.consentLateSince).toBe(7);
    expect(s.consentLateCause).toBe('late_statement');
    expect(s.consent.Ads).toMatchObject({ granted: false, messageId: 'b' });
  });

  it('is set by a merge of two profiles that both hold consent, from the later first event, and kept from either', () => {
    const a = newProfileState('a', 0);
    const b = newProfileState('b', 0);
    applyMessage(a, msg('a1', 3, { Ads: true }), []);
    applyMessage(b, msg('b1', 6, { Ads: false }), []);
    mergeProfileStates(a, b, []);
    expect(a.consentLateSince).toBe(6);
    expect(a.consentLateCause).toBe('merge');
    const c = newProfileState('c', 0);
    applyMessage(c, msg('c1', 1, {}), []); // no consent: its history adds nothing
    const d = newProfileState('d', 0);
    applyMessage(d, msg('d1', 9, { Ads: true }), []);
    mergeProfileStates(d, c, []);
    expect(d.consentLateSince).toBeUndefined();
    mergeProfileStates(d, a, []);
    // a's first event (3) is later than d's (1, c's): from there, before a's own mark (6).
    expect(d.consentLateSince).toBe(3);
    expect(d.consentLateCause).toBe('merge');
    // A merged-in profile's own earlier mark keeps its cause.
    const e = newProfileState('e', 0);
    applyMessage(e, msg('e1', 20, { Ads: true }), []);
    const f = newProfileState('f', 0);
    applyMessage(f, msg('f2', 30, { Ads: true }), []);
    applyMessage(f, msg('f1', 10, { Ads: false }), []);
    mergeProfileStates(e, f, []);
    expect([e.consentLateSince, e.consentLateCause]).toEqual([10, 'late_statement']);
  });
});

describe('consentHistoryFrom', () => {
  it('keeps the rows before the mark, and rebuilds the rest in event-time order, ties by arrival, as one in-order fold writes them', () => {
    // The in-order reference: every message folded by time (ties: lower seq first).
    const ms = [msg('m1', 1, { Ads: true }), msg('m2', 2, { Ads: true, An: false }), msg('m3', 4, { Ads: false }), msg('m4', 4, { Ads: true }), msg('m5', 6, { Ads: true, An: true }), msg('m6', 8, { An: true, __proto__x: 1 })];
    const ref = newProfileState('r', 0);
    const changes = ms.map((m) => applyMessage(ref, m, [])).filter((c): c is ConsentChange => !!c).map(({ at, messageId, changes: ch }) => ({ at, messageId, changes: ch }));
    // Stored: the rows before 4 (exact), and a wrong remainder that the rebuild replaces.
    const before = changes.filter((c) => c.at < 4);
    const stored = [...before, { at: 6, messageId: 'm5', changes: { Ads: false } }];
    const events = [ev(9, ms[5]), ev(4, ms[3]), ev(3, ms[2]), ev(7, ms[4]), ev(1, ms[0]), ev(2, ms[1])];
    expect(consentHistoryFrom(4, stored, events, 50)).toEqual([...changes].reverse());
    expect(consentHistoryFrom(4, stored, events, 2)).toEqual([...changes].reverse().slice(0, 2));
  });

  it('reads each purpose before the mark from its last row, and a value not a boolean as not granted', () => {
    const before: ConsentHistoryRow[] = [{ at: 1, messageId: 'x', changes: { Ads: true, An: true } }, { at: 2, messageId: 'y', changes: { An: false } }];
    const events = [ev(5, msg('e1', 3, { Ads: true, An: false, Bad: 'yes' })), ev(6, msg('e2', 4, { Ads: 'no', An: true }))];
    expect(consentHistoryFrom(3, before, events, 50)).toEqual([
      { at: 4, messageId: 'e2', changes: { Ads: false, An: true } }, { at: 3, messageId: 'e1', changes: { Bad: false } }, ...[...before].reverse(),
    ]);
  });
});

describe('a grant and a refusal of one purpose at the same time', () => {
  // Two devices of one person, one millisecond: until 2026-12-06 the later arrival stood on one
  // profile and in a rebuild, and in a merge the surviving profile's — so the arrival order or the
  // merge's direction decided whether the person was advertised to. Now the refusal stands in each.
  it('leave the refusal standing whichever arrives first, on one profile and in a rebuild of its history', () => {
    for (const [first, second] of [[true, false], [false, true]]) {
      const ms = [msg('a', 1, { Ads: true }), msg('b', 5, { Ads: first }), msg('c', 5, { Ads: second })];
      const s = newProfileState('p', 0);
      const rows = ms.map((m) => applyMessage(s, m, [])).filter((c): c is ConsentChange => !!c).map(({ at, messageId, changes }) => ({ at, messageId, changes }));
      expect(s.consent.Ads, `${first} then ${second}`).toMatchObject({ granted: false, at: 5 });
      const rebuilt = consentHistoryFrom(0, [], ms.map((m, i) => ev(i + 1, m)), 50);
      expect(rebuilt).toEqual([...rows].reverse());
      expect(rebuilt[0]).toMatchObject({ at: 5, changes: { Ads: false } });
    }
  });
});

describe('consentHistoryStatus', () => {
  it('says complete when the store rebuilt the history, and otherwise from when, why, in a sentence', () => {
    expect(consentHistoryStatus({ rows: [] })).toEqual({ complete: true });
    const late = consentHistoryStatus({ rows: [], incomplete: { since: Date.parse('2026-11-01T00:00:00Z'), cause: 'late_statement' } });
    expect(late).toMatchObject({ complete: false, incompleteSince: '2026-11-01T00:00:00.000Z', cause: 'late_statement' });
    expect(late.complete || late.note).toMatch(/^From 2026-11-01T00:00:00.000Z on, this history may miss consent changes or show them out of order: a consent statement of that time arrived after newer ones .* older than the profile's 50 newest events/);
    const merge = consentHistoryStatus({ rows: [], incomplete: { since: 0, cause: 'merge' } });
    expect(merge.complete || merge.note).toContain('merged with another that also held consent statements');
    expect(consentHistoryStatus({ rows: [], incomplete: { since: 0, cause: undefined } })).toMatchObject({ complete: false, cause: 'unknown' });
  });
});
