import { describe, expect, it } from 'vitest';
import { createRng, randomInt } from '../measure/stats/prng.js';
import { DecideState } from './decide-state.js';
import { fakeDecisionLog, type FakeContact } from './decision-log-fake.js';
import { RECENT_MS, type Retention } from './contact-ledger.js';
import type { OutcomeRecord } from './records.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const T = Date.UTC(2026, 11, 2, 12);

const kinds = [
  { action: 'promo', channel: 'email', topics: ['marketing'] },
  { action: 'tips', channel: 'email', topics: [] as string[] },
  { action: 'banner', channel: 'web', topics: ['marketing'] },
  { action: 'care', channel: 'web', topics: ['service'] },
  { action: 'survey', channel: 'email', topics: [] as string[] },
];
/** A kind at random: the survey rarely (a cap on it is seldom answered by a subject's newest contacts alone). */
const kindAt = (rng: () => number) => (rng() < 0.03 ? kinds[4] : kinds[randomInt(rng, 4)]);
const topicsOf = (a: string) => kinds.find((k) => k.action === a)?.topics ?? [];
const caps: Retention[] = [
  { channel: 'email', max: 2, windowMs: 7 * DAY },
  { topic: 'marketing', max: 3, windowMs: DAY },
  { action: 'banner', max: 1, windowMs: 6 * HOUR },
  { action: 'survey', max: 2, windowMs: 7 * DAY },
];
const budgets = [
  { name: 'mail', channel: 'email', max: 1e9, windowMs: DAY, borrowAfter: 1 },
  { name: 'web', channel: 'web', max: 1e9, windowMs: HOUR, borrowAfter: 1 },
];
const subjects = ['p0', 'p1', 'p2', 'p3', 'anon:v-1', 'anon:v-2'];

/**
 * A start that reads each subject's older contacts at its first decision (ADR 0006) must answer
 * every cap, budget and "has this anonymous key a history" as a start that reads the whole window
 * does — before and after a refill (caps raised), with contacts recorded and pruning in between.
 */
describe('the contact ledger read per subject at its first decision', () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`answers caps, budgets and anonymous history as the eager rebuild (seeded log ${seed})`, async () => {
      const rng = createRng(20261203 + seed);
      // Ten days of contacts and some dismissals for six subjects, at random times.
      const contacts: FakeContact[] = [];
      // Dense logs (every cap reached) and sparse ones (counts below the caps: every old contact counts).
      for (let i = 0; i < (seed <= 2 ? 1_500 : 120); i++) {
        const k = kindAt(rng);
        contacts.push({ profileKey: subjects[randomInt(rng, subjects.length)], at: T - Math.floor(rng() * 10 * DAY), action: k.action, channel: k.channel, decisionId: `d${i}` });
      }
      // A few decisions of the last minutes (read at start by both).
      for (let i = 0; i < 20; i++) {
        const k = kindAt(rng);
        contacts.push({ profileKey: subjects[randomInt(rng, subjects.length)], at: T - Math.floor(rng() * 4 * MINUTE), action: k.action, channel: k.channel, decisionId: `r${i}` });
      }
      const outcomes: OutcomeRecord[] = Array.from({ length: 300 }, (_, i) => ({
        id: `o${i}`, at: T - Math.floor(rng() * 20 * DAY), profileKey: subjects[randomInt(rng, subjects.length)], type: 'dismissal', value: null,
        decisionId: null, action: kinds[randomInt(rng, kinds.length)].action, credit: 0, reward: 0, success: false, source: 'api',
      }));
      const log = fakeDecisionLog({ contacts, outcomes });
      const make = (c = caps, dismissals = 2, at = T) => {
        const s = new DecideState(30 * DAY, false, 7 * DAY);
        s.setLookback(30 * DAY, 7 * DAY, at, DAY);
        s.setRetention(c, dismissals);
        return s;
      };
      const raised = caps.map((c) => ({ ...c, max: c.max + 2 }));
      let eager = make();
      const lazy = make();
      await eager.rebuild(log.store, topicsOf, T, { eager: true });
      const rowsEager = log.calls.rows;
      await lazy.rebuild(log.store, topicsOf, T);
      expect(log.calls.rows - rowsEager).toBeLessThan(30); // the lazy start read the last minutes only

      let now = T;
      let n = 0;
      for (let step = 0; step < 300; step++) {
        now += Math.floor(rng() * 20 * MINUTE);
        if (step === 150) {
          // The caps and the dismissal count are raised: the lazy state lets go of what it held and
          // reads it again per subject; it is compared from here with a state rebuilt eagerly now.
          lazy.setRetention(raised, 3);
          expect(await lazy.widenContacts(log.store, now)).toBeGreaterThan(0);
          eager = make(raised, 3, now);
          await eager.rebuild(log.store, topicsOf, now, { eager: true });
        }
        const subject = subjects[randomInt(rng, 4)];
        const also = rng() < 0.4 ? ['anon:v-1', 'anon:v-2'].filter((k) => lazy.ledger.has(k)) : [];
        expect(also.map((k) => eager.ledger.has(k))).toEqual(also.map(() => true));
        await lazy.ensureLoaded(log.store, [subject, ...also], topicsOf, now);
        await eager.ensureLoaded(log.store, [subject, ...also], topicsOf, now);
        const ev = eager.ledger.view(subject, also);
        const lv = lazy.ledger.view(subject, also);
        const current = step >= 150 ? raised : caps;
        for (const cap of current) {
          const since = now - cap.windowMs;
          expect(Math.min(lv.count(since, cap), cap.max), `${subject} ${JSON.stringify(cap)} step ${step}`).toBe(Math.min(ev.count(since, cap), cap.max));
        }
        for (const b of budgets) {
          const [e, l] = [eager.ledger.budgetUse(b, now), lazy.ledger.budgetUse(b, now)];
          expect(l.total).toBe(e.total);
          expect([...l.byAction].sort()).toEqual([...e.byAction].sort());
        }
        expect(lv.dismissals.map((d) => [d.at, d.action])).toEqual(ev.dismissals.map((d) => [d.at, d.action]));
        // A decision picks an action now and then: both record it (and the log holds it).
        if (rng() < 0.5) {
          const k = kindAt(rng);
          const c = { profileKey: subject, at: now, action: k.action, channel: k.channel, decisionId: `n${n++}` };
          contacts.push(c);
          for (const s of [eager, lazy]) s.ledger.record(subject, { ...c, topics: k.topics });
        }
        if (step % 7 === 0) for (const s of [eager, lazy]) s.prune(now);
      }
      expect(lazy.lazyReads.subjects).toBeGreaterThan(0);
      // Dense logs: most first reads are one page; some need the whole (the survey cap).
      if (seed <= 2) expect(lazy.lazyReads.pages).toBeGreaterThan(0);
    });
  }

  it('gives the personal rung the subject\'s choices inside their windows once its first decision read them (ADR 0007)', async () => {
    const at = [T - 8 * DAY, T - 2 * DAY, T - HOUR, T - MINUTE];
    const log = fakeDecisionLog({ contacts: at.map((t, i) => ({ profileKey: 'p1', at: t, action: 'tips', channel: 'email', decisionId: `d${i}` })) });
    const lazy = new DecideState(30 * DAY, false, 7 * DAY);
    const eager = new DecideState(30 * DAY, false, 7 * DAY);
    lazy.setRetention([{ channel: 'email', max: 1, windowMs: 7 * DAY }], 0);
    await lazy.rebuild(log.store, topicsOf, T);
    await eager.rebuild(log.store, topicsOf, T, { eager: true });
    const open = (s: DecideState) => s.counts.personalOpen('tips', 'p1', [], T, 7 * DAY).open;
    // The last minutes' choice is read at start; the older ones with the subject's first decision.
    expect(open(eager)).toBe(3);
    expect(open(lazy)).toBe(1);
    await lazy.ensureLoaded(log.store, ['p1'], topicsOf, T);
    expect(open(lazy)).toBe(3);
    // The caps raised: the subject's contacts are read again, its choices not kept twice.
    lazy.setRetention([{ channel: 'email', max: 5, windowMs: 7 * DAY }], 0);
    expect(await lazy.widenContacts(log.store, T)).toBeGreaterThan(0);
    await lazy.ensureLoaded(log.store, ['p1'], topicsOf, T);
    expect(lazy.lazyReads.subjects).toBe(2);
    expect(open(lazy)).toBe(3);
    // A day on, the choice of two days before is still open; eight days on, none is.
    expect(lazy.counts.personalOpen('tips', 'p1', [], T + DAY, 7 * DAY).open).toBe(3);
    lazy.prune(T + 8 * DAY);
    expect(lazy.counts.personalOpen('tips', 'p1', [], T + 8 * DAY, 7 * DAY).open).toBe(0);
  });

  it('gives the personal rung every choice of a subject decided for more than its newest kept, read at start and again after a widening without counting twice (ADR 0007)', async () => {
    // Forty choices, one every three hours over five days, the first of each day converted.
    const contacts: FakeContact[] = Array.from({ length: 40 }, (_, i) => ({ profileKey: 'p1', at: T - 5 * DAY + i * 3 * HOUR, action: 'tips', channel: 'email', decisionId: `d${i}` }));
    const won = (i: number): OutcomeRecord => ({ id: `o${i}`, at: contacts[i].at + HOUR, profileKey: 'p1', type: 'conversion', value: null, decisionId: `d${i}`, action: 'tips', credit: 1, reward: 0, success: true, source: 'api' });
    const log = fakeDecisionLog({ contacts, outcomes: [0, 8, 16, 24, 32].map(won) });
    const lazy = new DecideState(30 * DAY, false, 7 * DAY);
    const eager = new DecideState(30 * DAY, false, 7 * DAY);
    lazy.setRetention([{ channel: 'email', max: 1, windowMs: 7 * DAY }], 0);
    await lazy.rebuild(log.store, topicsOf, T);
    await eager.rebuild(log.store, topicsOf, T, { eager: true });
    await lazy.ensureLoaded(log.store, ['p1'], topicsOf, T);
    const open = (s: DecideState) => s.counts.personalOpen('tips', 'p1', [], T, 7 * DAY);
    // Until 2026-12-07 the 24 older than the newest 16 read as closed (16 open, 0 won: the successes were all older).
    expect(open(lazy)).toMatchObject({ open: 40, won: 5 });
    expect(open(eager)).toMatchObject({ open: 40, won: 5 });
    lazy.setRetention([{ channel: 'email', max: 5, windowMs: 7 * DAY }], 0);
    expect(await lazy.widenContacts(log.store, T)).toBeGreaterThan(0);
    await lazy.ensureLoaded(log.store, ['p1'], topicsOf, T);
    expect(open(lazy)).toMatchObject({ open: 40, won: 5 });
  });

  it('keeps, through a widening, the counted choices of the last minutes, which the log is not read again for (ADR 0007)', async () => {
    // Ten choices on each of three earlier days, and twenty in the last four minutes (one every 12 s,
    // the third converted): the newest 16 kept one by one, the four before them counted for today.
    const older: FakeContact[] = Array.from({ length: 30 }, (_, i) => ({ profileKey: 'p1', at: T - (3 - Math.floor(i / 10)) * DAY + (i % 10) * HOUR, action: 'tips', channel: 'email', decisionId: `d${i}` }));
    const recent: FakeContact[] = Array.from({ length: 20 }, (_, i) => ({ profileKey: 'p1', at: T - 4 * MINUTE + i * 12_000, action: 'tips', channel: 'email', decisionId: `r${i}` }));
    const won: OutcomeRecord = { id: 'o1', at: recent[2].at + 1_000, profileKey: 'p1', type: 'conversion', value: null, decisionId: 'r2', action: 'tips', credit: 1, reward: 0, success: true, source: 'api' };
    const log = fakeDecisionLog({ contacts: [...older, ...recent], outcomes: [won] });
    const lazy = new DecideState(30 * DAY, false, 7 * DAY);
    lazy.setRetention([{ channel: 'email', max: 1, windowMs: 7 * DAY }], 0);
    await lazy.rebuild(log.store, topicsOf, T);
    await lazy.ensureLoaded(log.store, ['p1'], topicsOf, T);
    const open = () => lazy.counts.personalOpen('tips', 'p1', [], T, 7 * DAY);
    expect(open()).toMatchObject({ open: 50, won: 1 });
    // The caps raised: the contacts before the last minutes are read again; the four of the last
    // minutes counted for today are not in that read (until 2026-12-07 their count went with the
    // others', and they read as closed: 46 open, the success with them).
    lazy.setRetention([{ channel: 'email', max: 5, windowMs: 7 * DAY }], 0);
    expect(await lazy.widenContacts(log.store, T)).toBeGreaterThan(0);
    await lazy.ensureLoaded(log.store, ['p1'], topicsOf, T);
    expect(open()).toMatchObject({ open: 50, won: 1 });
    // Read again a second time, nothing is counted twice.
    lazy.setRetention([{ channel: 'email', max: 6, windowMs: 7 * DAY }], 0);
    expect(await lazy.widenContacts(log.store, T + MINUTE)).toBeGreaterThan(0);
    await lazy.ensureLoaded(log.store, ['p1'], topicsOf, T + MINUTE);
    expect(lazy.counts.personalOpen('tips', 'p1', [], T + MINUTE, 7 * DAY)).toMatchObject({ open: 50, won: 1 });
  });

  it('reads which of the last minutes\' choices converted before the start, as the first decision\'s read does for older ones (ADR 0007)', async () => {
    const contacts: FakeContact[] = [
      { profileKey: 'p1', at: T - 4 * MINUTE, action: 'tips', channel: 'email', decisionId: 'd1' },
      { profileKey: 'p1', at: T - 3 * MINUTE, action: 'tips', channel: 'email', decisionId: 'd2' },
      { profileKey: 'p1', at: T - 2 * MINUTE, action: 'tips', channel: 'email', decisionId: 'd3' },
    ];
    // d1 converted three minutes before the start (before the two minutes whose successes the state
    // keeps), d3 thirty seconds before it; d2 did not.
    const success = (id: string, decisionId: string, at: number): OutcomeRecord => ({ id, at, profileKey: 'p1', type: 'conversion', value: null, decisionId, action: 'tips', credit: 1, reward: 0, success: true, source: 'api' });
    const log = fakeDecisionLog({ contacts, outcomes: [success('o1', 'd1', T - 3 * MINUTE), success('o3', 'd3', T - 30_000)] });
    const s = new DecideState(30 * DAY, false, 7 * DAY);
    await s.rebuild(log.store, topicsOf, T);
    // Until 2026-12-07 none was marked: the choices of the start's last minutes read as still to
    // convert, so the highest reading kept the two successes with one trial left for them.
    expect(s.counts.personalOpen('tips', 'p1', [], T, 7 * DAY)).toMatchObject({ open: 3, won: 2 });
  });

  it('marks anonymous keys with older history without reading their contacts', async () => {
    const log = fakeDecisionLog({ contacts: [{ profileKey: 'anon:v-9', at: T - 2 * DAY, action: 'promo', channel: 'email', decisionId: 'd1' }] });
    const s = new DecideState(30 * DAY, false, 7 * DAY);
    s.setRetention(caps, 2);
    await s.rebuild(log.store, topicsOf, T);
    expect(s.ledger.has('anon:v-9')).toBe(true);
    expect(s.ledger.hasAnonymous).toBe(true);
    expect(s.ledger.size).toBe(0);
    await s.ensureLoaded(log.store, ['p1', 'anon:v-9'], topicsOf, T);
    expect(s.ledger.view('p1', ['anon:v-9']).count(T - 7 * DAY, { channel: 'email' })).toBe(1);
  });

  it('reads the window’s edges exactly: its first millisecond, and both sides of the start’s last minutes', async () => {
    const T0 = T - RECENT_MS;
    const at = [T - 7 * DAY - 1, T - 7 * DAY, T0 - 1, T0, T - 1];
    const log = fakeDecisionLog({ contacts: at.map((t, i) => ({ profileKey: 'p1', at: t, action: 'tips', channel: 'email', decisionId: `d${i}` })) });
    const s = new DecideState(30 * DAY, false, 7 * DAY);
    await s.rebuild(log.store, topicsOf, T);
    expect(s.ledger.lazyBefore).toBe(T0);
    expect(s.ledger.view('p1').list().map((c) => c.at)).toEqual([T0, T - 1]);
    await s.ensureLoaded(log.store, ['p1'], topicsOf, T);
    expect(s.ledger.view('p1').list().map((c) => c.at)).toEqual(at.slice(1));
  });

  it('reads nothing per subject when the log holds nothing before the start’s last minutes', async () => {
    const log = fakeDecisionLog({ contacts: [{ profileKey: 'p1', at: T - 60_000, action: 'promo', channel: 'email', decisionId: 'd1' }] });
    const s = new DecideState(30 * DAY, false, 7 * DAY);
    await s.rebuild(log.store, topicsOf, T);
    expect(s.ledger.lazyBefore).toBe(-Infinity);
    expect(s.ledger.view('p1').count(0, {})).toBe(1);
    await s.ensureLoaded(log.store, ['p1', 'p2'], topicsOf, T);
    expect(log.calls.contactsOf).toBe(0);
  });

  it('reads a subject once while the ledger is lazy, though pruning leaves it nothing to hold', async () => {
    const log = fakeDecisionLog({ contacts: [{ profileKey: 'p1', at: T - 2 * DAY, action: 'tips', channel: 'email', decisionId: 'd1' }] });
    const s = new DecideState(30 * DAY, false, 7 * DAY);
    s.setRetention([{ action: 'promo', max: 1, windowMs: DAY }], 0);
    await s.rebuild(log.store, topicsOf, T);
    await s.ensureLoaded(log.store, ['p1'], topicsOf, T);
    expect(s.ledger.view('p1').count(0, {})).toBe(0); // no cap counts a tip: let go at once
    s.prune(T + HOUR);
    await s.ensureLoaded(log.store, ['p1'], topicsOf, T + HOUR);
    expect(log.calls.contactsOf).toBe(1);
    // Once the window has passed the start, empty logs go as before.
    await s.ensureLoaded(log.store, ['p2'], topicsOf, T + 8 * DAY);
    s.prune(T + 8 * DAY);
    expect(s.ledger.size).toBe(0);
  });

  it('does not take in a read that a refill overtook', async () => {
    const log = fakeDecisionLog({ contacts: [{ profileKey: 'p1', at: T - 2 * DAY, action: 'promo', channel: 'email', decisionId: 'd1' }] });
    const s = new DecideState(30 * DAY, false, 7 * DAY);
    s.setRetention(caps, 2);
    await s.rebuild(log.store, topicsOf, T);
    const first = s.ensureLoaded(log.store, ['p1'], topicsOf, T);
    // The caps are raised while the read is in flight: the refill lets go of everything, and the read is made again.
    s.setRetention(caps.map((c) => ({ ...c, max: c.max + 1 })), 2);
    await s.widenContacts(log.store, T);
    await first;
    expect(log.calls.contactsOf).toBe(2);
    expect(s.ledger.view('p1').count(0, {})).toBe(1);
  });

  it('reads nothing once the window has moved past the start', async () => {
    const log = fakeDecisionLog({ contacts: [{ profileKey: 'p1', at: T - 2 * DAY, action: 'promo', channel: 'email', decisionId: 'd1' }] });
    const s = new DecideState(30 * DAY, false, 7 * DAY);
    await s.rebuild(log.store, topicsOf, T);
    expect(s.ledger.lazyBefore).toBeLessThan(T);
    await s.ensureLoaded(log.store, ['p1'], topicsOf, T + 8 * DAY);
    expect(log.calls.contactsOf).toBe(0);
    expect(s.ledger.lazyBefore).toBe(-Infinity);
  });

  it('shares one read among decisions for the same subject at once', async () => {
    const log = fakeDecisionLog({ contacts: [{ profileKey: 'p1', at: T - 2 * DAY, action: 'promo', channel: 'email', decisionId: 'd1' }] });
    const s = new DecideState(30 * DAY, false, 7 * DAY);
    await s.rebuild(log.store, topicsOf, T);
    await Promise.all([1, 2, 3].map(() => s.ensureLoaded(log.store, ['p1'], topicsOf, T)));
    expect(log.calls.contactsOf).toBe(1);
    expect(s.ledger.view('p1').count(0, {})).toBe(1);
  });
});
