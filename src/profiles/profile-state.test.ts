import { describe, expect, it } from 'vitest';
import type { Message } from '../collect/message.js';
import { applyMessage, MAX_EVENT_NAMES, mergeProfileStates, newProfileState, noteEventSeq, RECENT_EVENTS, type ProfileState } from './profile-state.js';

/** `constructor` as a key of a record (`r.constructor` is typed as Object's). */
const CTOR: string = 'constructor';

const track = (event: string, t: number): Message => ({ messageId: `${event}-${t}`, type: 'track', event, properties: {}, context: {}, timestamp: t, receivedAt: t });
const fold = (id: string, ms: Message[]): ProfileState => {
  const s = newProfileState(id, 0);
  for (const m of ms) applyMessage(s, m, []);
  return s;
};

describe('event-name counts when two profiles merge', () => {
  it(`keep the ${MAX_EVENT_NAMES} names seen first, like one profile that saw both profiles' events, and count the rest under "(other)"`, () => {
    // Profile A sees names a000…a299 at times 0, 2, 4, …, 598 (twice each, the second time 1000
    // later); profile B sees b000…b299 at times 1, 3, …, 599. Together 600 names: the 500 first
    // seen are those first seen at times 0…499, i.e. a000…a249 and b000…b249. The other 100 names
    // (a250…a299, b250…b299) go to "(other)": 50·2 + 50·1 = 150 events, first at 500, last at 1598.
    const A = Array.from({ length: 300 }, (_, i) => [track(`a${String(i).padStart(3, '0')}`, 2 * i), track(`a${String(i).padStart(3, '0')}`, 2 * i + 1000)]).flat();
    const B = Array.from({ length: 300 }, (_, i) => track(`b${String(i).padStart(3, '0')}`, 2 * i + 1));
    const merged = fold('pa', A);
    mergeProfileStates(merged, fold('pb', B), []);

    const names = Object.keys(merged.events).filter((k) => k !== '(other)');
    expect(names).toHaveLength(MAX_EVENT_NAMES);
    expect(names.includes('a249') && names.includes('b249')).toBe(true);
    expect(names.includes('a250') || names.includes('b250')).toBe(false);
    expect(merged.events['(other)']).toEqual({ n: 150, t0: 500, t1: 1598 });
    expect(merged.eventCount).toBe(900);

    // the rule of one profile: folding every event in time order gives the same counts
    const one = fold('one', [...A, ...B].sort((x, y) => x.timestamp - y.timestamp));
    expect(merged.events).toEqual(one.events);
  });

  it('add the counts of names both profiles saw, within the cap', () => {
    const merged = fold('pa', [track('Viewed', 5), track('Bought', 7)]);
    mergeProfileStates(merged, fold('pb', [track('Viewed', 1), track('Viewed', 9)]), []);
    expect(merged.events).toEqual({ Viewed: { n: 3, t0: 1, t1: 9 }, Bought: { n: 1, t0: 7, t1: 7 } });
  });
});

describe('time zone and locale', () => {
  const seen = (t: number, timezone: string, locale: string): Message => ({ ...track('Viewed', t), messageId: `v-${t}`, context: { timezone, locale } });

  it('take only a time zone the runtime knows: a junk zone does not replace a real one (quiet hours and send times would read it as UTC)', () => {
    const s = fold('p', [seen(1, 'Europe/Paris', 'fr-FR'), seen(2, 'Mars/Olympus', 'fr-FR')]);
    expect(s.timezone).toBe('Europe/Paris');
    expect(fold('q', [seen(1, 'Mars/Olympus', 'fr-FR')]).timezone).toBeUndefined();
    expect(fold('r', [seen(1, 'America/Argentina/Buenos_Aires', 'es-AR')]).timezone).toBe('America/Argentina/Buenos_Aires');
  });

  it('keep those of the latest event: a late event with an older time does not replace them', () => {
    const s = fold('p', [seen(2000, 'Europe/Paris', 'fr-FR'), seen(1000, 'America/New_York', 'en-US')]);
    expect([s.timezone, s.locale]).toEqual(['Europe/Paris', 'fr-FR']);
  });

  it('after a merge are those of the latest event of either profile, like one profile that saw both', () => {
    // The surviving (older) profile was last seen in New York; the one merged into it since moved to Paris.
    const older = () => fold('pa', [seen(1000, 'America/New_York', 'en-US')]);
    const newer = () => fold('pb', [seen(2000, 'Europe/Paris', 'fr-FR')]);
    const a = older();
    mergeProfileStates(a, newer(), []);
    expect([a.timezone, a.locale]).toEqual(['Europe/Paris', 'fr-FR']);
    const b = newer();
    mergeProfileStates(b, older(), []);
    expect([b.timezone, b.locale]).toEqual(['Europe/Paris', 'fr-FR']);
  });
});

describe('names that an object inherits (toString, valueOf, hasOwnProperty …)', () => {
  const identify = (traits: Record<string, unknown>, t: number, consent?: Record<string, boolean>): Message => ({ messageId: `i-${t}`, type: 'identify', traits, properties: {}, context: consent ? { consent: { categoryPreferences: consent } } : {}, timestamp: t, receivedAt: t });

  it('are kept as traits, event names and consent purposes, on one profile and through a merge', () => {
    const a = fold('pa', [track('Viewed', 1)]);
    const b = fold('pb', [identify({ valueOf: 'v', toString: 't', hasOwnProperty: 'h' }, 2, { toString: true }), track('toString', 3)]);
    expect(b.traits).toEqual({ valueOf: 'v', toString: 't', hasOwnProperty: 'h' });
    mergeProfileStates(a, b, []);
    expect(a.traits).toEqual({ valueOf: 'v', toString: 't', hasOwnProperty: 'h' });
    expect(a.events.toString).toEqual({ n: 1, t0: 3, t1: 3 });
    expect(a.consent.toString).toEqual({ granted: true, at: 2, messageId: 'i-2' });
    // and the merge wrote nothing onto the function every object inherits
    expect(Object.hasOwn(Object.prototype.toString, 'n')).toBe(false);
  });
});

describe('names that are JavaScript members of objects (constructor, prototype)', () => {
  const identify = (traits: Record<string, unknown>, t: number, consent?: Record<string, boolean>): Message => ({ messageId: `i-${t}`, type: 'identify', traits, properties: {}, context: consent ? { consent: { categoryPreferences: consent } } : {}, timestamp: t, receivedAt: t });
  const stored = (s: ProfileState): ProfileState => JSON.parse(JSON.stringify(s)) as ProfileState;

  it('are kept as traits, event names and consent purposes (QA: dropped, or counted under "(other)")', () => {
    const s = fold('p', [track('constructor', 1), track('prototype', 2), identify({ constructor: 'Ferrari', prototype: 'SF-26', team: 'F1' }, 3, { constructor: true })]);
    expect(s.traits).toEqual({ constructor: 'Ferrari', prototype: 'SF-26', team: 'F1' });
    expect(Object.keys(s.events).sort()).toEqual(['constructor', 'identify', 'prototype']);
    expect(s.events[CTOR]).toEqual({ n: 1, t0: 1, t1: 1 });
    expect(s.consent[CTOR]).toEqual({ granted: true, at: 3, messageId: 'i-3' });
  });

  it('read from own keys only on a state read back from JSON (which inherits Object\'s members), through later messages and merges', () => {
    // Read back, `traits.constructor` is Object until the profile has its own: the first trait is set, not skipped as older.
    const s = stored(fold('p', [track('Viewed', 1)]));
    applyMessage(s, identify({ constructor: 'Ferrari' }, 2, { constructor: false }), []);
    applyMessage(s, track('constructor', 3), []);
    expect([s.traits[CTOR], s.traitsAt[CTOR], s.consent[CTOR]?.granted, s.events[CTOR]]).toEqual(['Ferrari', 2, false, { n: 1, t0: 3, t1: 3 }]);
    const again = stored(s);
    applyMessage(again, identify({ constructor: 'McLaren' }, 1), []);
    applyMessage(again, track('constructor', 4), []);
    expect([again.traits[CTOR], again.events[CTOR].n]).toEqual(['Ferrari', 2]);

    const into = stored(fold('q', [track('Viewed', 5)]));
    mergeProfileStates(into, stored(again), []);
    expect([into.traits[CTOR], into.traitsAt[CTOR], into.consent[CTOR]?.granted, into.events[CTOR]]).toEqual(['Ferrari', 2, false, { n: 2, t0: 3, t1: 4 }]);
    expect(Object.getPrototypeOf(into.traits)).toBe(Object.prototype);
  });

  it('but `__proto__` is set aside as before: it would change the object instead of adding a key', () => {
    const s = stored(fold('p', []));
    const proto = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    applyMessage(s, identify(proto, 1, JSON.parse('{"__proto__": true}') as Record<string, boolean>), []);
    applyMessage(s, track('__proto__', 2), []);
    expect([Object.keys(s.traits), Object.keys(s.consent), Object.keys(s.events).sort()]).toEqual([[], [], ['(other)', 'identify']]);
    for (const r of [s.traits, s.consent, s.events]) expect(Object.getPrototypeOf(r)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('the recent events a profile keeps (store bookkeeping)', () => {
  const H = 3_600_000;
  /** A state with events of sequence numbers `seqs` at times `at(seq)`, noted in that order. */
  const noted = (seqs: number[], at: (seq: number) => number, s = newProfileState('p', 0)) => {
    for (const seq of seqs) noteEventSeq(s, seq, at(seq));
    return s;
  };
  const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

  it('are the newest by event time, so old events imported later do not push out the newest', () => {
    // One live event (seq 1, today), then 60 imported events of January 2025 (seqs 2–61).
    const today = Date.parse('2026-12-05T10:00:00Z');
    const s = noted([1, ...range(2, 60)], (seq) => (seq === 1 ? today : Date.parse('2025-01-10T00:00:00Z') + seq * H));
    expect(s.recent).toHaveLength(RECENT_EVENTS);
    expect(s.recent?.at(-1)).toBe(1);
    // The newest imports stay, the oldest go: 13–61 and the live event.
    expect(s.recent?.slice(0, -1)).toEqual(range(13, 49));
    expect(s.seq).toBe(61);
  });

  it('on equal times keep the later sequence number last', () => {
    expect(noted([3, 1, 2], () => 5).recent).toEqual([1, 2, 3]);
  });

  it('after a merge are the newest of both by event time, not the last to arrive', () => {
    // A's 60 events at even hours (seqs 1–60), B's 60 at odd hours, sent later (seqs 101–160).
    const a = noted(range(1, 60), (seq) => 2 * seq * H);
    const b = noted(range(101, 60), (seq) => (2 * (seq - 100) + 1) * H, newProfileState('b', 0));
    mergeProfileStates(a, b, []);
    // Hours 72–121: 25 of each, alternating.
    expect(a.recent).toHaveLength(RECENT_EVENTS);
    expect(a.recent?.filter((x) => x <= 60)).toEqual(range(36, 25));
    expect(a.recent?.filter((x) => x > 100)).toEqual(range(136, 25));
    expect(a.recentAt).toEqual(range(72, 50).map((h) => h * H));
  });

  it('kept by a state written before their times were, count as of its lastSeenAt: newer events rank after them, imported older ones before', () => {
    const legacy = { ...newProfileState('p', 0), lastSeenAt: 100, recent: [1, 2, 3] };
    noteEventSeq(legacy, 4, 200);
    noteEventSeq(legacy, 5, 50);
    expect(legacy.recent).toEqual([5, 1, 2, 3, 4]);
    expect(legacy.recentAt).toEqual([50, 100, 100, 100, 200]);
  });
});

describe('consent when two profiles merge', () => {
  const stated = (id: string, t: number, prefs: Record<string, boolean>): Message => ({ messageId: id, type: 'identify', traits: {}, properties: {}, context: { consent: { categoryPreferences: prefs } }, timestamp: t, receivedAt: t });

  it('keeps the newer statement of each purpose, and on equal times the refusal, whichever profile survives', () => {
    // Two devices of one person stated the same millisecond: one granted advertising, one refused it.
    // Until 2026-12-06 the surviving profile's statement stood, so the merge's direction decided
    // whether the person was advertised to; now the refusal stands either way (as consentByPurpose
    // already read two spellings of one purpose).
    for (const [intoGrants, fromGrants] of [[true, false], [false, true]]) {
      const into = fold('pa', [stated('a', 5, { advertising: intoGrants, analytics: true })]);
      mergeProfileStates(into, fold('pb', [stated('b', 5, { advertising: fromGrants }), stated('c', 7, { analytics: false })]), []);
      expect(into.consent.advertising, `into ${intoGrants}, from ${fromGrants}`).toMatchObject({ granted: false, at: 5 });
      expect(into.consent.analytics).toMatchObject({ granted: false, at: 7 });
    }
    // Equal times, both granted: it stays granted.
    const both = fold('pa', [stated('a', 5, { advertising: true })]);
    mergeProfileStates(both, fold('pb', [stated('b', 5, { advertising: true })]), []);
    expect(both.consent.advertising).toMatchObject({ granted: true, messageId: 'a' });
  });
});
