import { describe, expect, it } from 'vitest';
import { compileCatalog } from './catalog-compile.js';
import { newProfileId } from '../identity/profile-id.js';
import { createRng } from '../measure/stats/prng.js';
import { budgetWindowStart, ContactLedger, RECENT_MS, type Retention } from './contact-ledger.js';
import { DecideState } from './decide-state.js';
import type { DecisionStore } from './decision-store.js';
import { fakeDecisionLog } from './decision-log-fake.js';
import type { ContactRow } from './records.js';
import { playbookFor } from './playbook.js';
import { compilePolicy } from './policy-compile.js';

const DAY = 86_400_000;
const T = Date.parse('2026-06-10T12:00:00Z');

describe('contact ledger windows', () => {
  it('keeps contacts for the contact window and dismissals for their own', () => {
    const ledger = new ContactLedger(7 * DAY, 30 * DAY);
    ledger.record('p1', { at: T - 10 * DAY, action: 'promo', channel: 'email', topics: [], decisionId: 'd1' });
    ledger.dismiss('p1', T - 10 * DAY, 'promo');
    ledger.record('p1', { at: T - 2 * DAY, action: 'digest', channel: 'email', topics: [], decisionId: 'd2' });
    ledger.dismiss('p1', T - 2 * DAY, 'digest');
    ledger.prune(T);
    expect(ledger.view('p1').list().map((c) => c.decisionId)).toEqual(['d2']);
    expect(ledger.view('p1').dismissals.map((d) => d.action)).toEqual(['promo', 'digest']);
    ledger.prune(T + 25 * DAY); // the digest's dismissal is 27 days old: still counted
    expect(ledger.view('p1').dismissals.map((d) => d.action)).toEqual(['digest']);
    ledger.prune(T + 29 * DAY);
    expect(ledger.size).toBe(0);
  });

  it('the contact window is the longest cap, budget or attribution window — not the 30-day look-back', () => {
    const catalog = compileCatalog({ actions: [{ id: 'promo', name: 'Promo', channels: ['email'] }, { id: 'renewal', name: 'Renewal', channels: ['email'], attributionWindow: '14d' }], placements: [{ id: 'mail', channel: 'email' }] });
    const plain = compilePolicy({ contact: { caps: [{ channel: 'email', max: 3, window: '1d' }], dismissals: { count: 3, window: '30d' } } });
    expect(plain.lookbackMs).toBe(30 * DAY);
    expect(playbookFor(compileCatalog({ actions: [{ id: 'promo', name: 'Promo', channels: ['email'] }], placements: [{ id: 'mail', channel: 'email' }] }), plain, 1, 1).contactWindowMs).toBe(7 * DAY);
    expect(playbookFor(catalog, plain, 1, 1).contactWindowMs).toBe(14 * DAY);
    const longCap = compilePolicy({ contact: { caps: [{ channel: 'email', max: 10, window: '21d' }] }, outcomes: { attribution: { window: '3d' } } });
    expect(playbookFor(catalog, longCap, 1, 1).contactWindowMs).toBe(21 * DAY);
  });
});

describe('contacts held as numbers', () => {
  const c = (at: number, action: string, decisionId: string, channel = 'email', topics: readonly string[] = []) => ({ at, action, channel, topics, decisionId });
  const id = (n: number) => newProfileId(T + n);

  it('gives back every contact as recorded, in time order, ties in the order they came', () => {
    const ledger = new ContactLedger(30 * DAY);
    const marketing = ['marketing'];
    const a = id(1), b = id(2), d = id(3);
    ledger.record('p1', c(T - 1 * DAY, 'promo', a, 'email', marketing));
    ledger.record('p1', c(T - 1 * DAY, 'digest', a));
    ledger.record('p1', c(T - 3 * DAY, 'promo', 'logged-elsewhere', 'web', marketing)); // an older one, read late, with an id of another form
    ledger.record('p1', c(T, 'promo', d, 'email', ['marketing']));
    ledger.record('p1', c(T - 2 * DAY, 'renewal', b, 'email', ['service']));
    expect(ledger.view('p1').list()).toEqual([
      c(T - 3 * DAY, 'promo', 'logged-elsewhere', 'web', marketing),
      c(T - 2 * DAY, 'renewal', b, 'email', ['service']),
      c(T - 1 * DAY, 'promo', a, 'email', marketing),
      c(T - 1 * DAY, 'digest', a),
      c(T, 'promo', d, 'email', marketing),
    ]);
  });

  it('counts what a cap counts: since a time, by channel, topic and action', () => {
    const ledger = new ContactLedger(30 * DAY);
    ledger.record('p1', c(T - 3 * DAY, 'promo', id(1), 'web', ['marketing']));
    ledger.record('p1', c(T - 2 * DAY, 'renewal', id(2), 'email', ['service']));
    ledger.record('p1', c(T - 1 * DAY, 'promo', id(3), 'email', ['marketing']));
    ledger.record('p1', c(T, 'digest', 'd4', 'email', ['marketing', 'news']));
    const v = ledger.view('p1');
    expect(v.count(0, {})).toBe(4);
    expect(v.count(T - 2 * DAY, {})).toBe(3);
    expect(v.count(0, { channel: 'email' })).toBe(3);
    expect(v.count(0, { topic: 'marketing' })).toBe(3);
    expect(v.count(T - 2 * DAY, { channel: 'email', topic: 'marketing' })).toBe(2);
    expect(v.count(0, { action: 'promo' })).toBe(2);
    expect(v.count(0, { action: 'promo', channel: 'web' })).toBe(1);
    expect(v.count(T + 1, {})).toBe(0);
    expect(ledger.view('nobody').count(0, {})).toBe(0);
  });

  it('takes back a decision that could not be logged, whatever the form of its id', () => {
    const ledger = new ContactLedger(30 * DAY);
    const kept = id(1), gone = id(2);
    ledger.record('p1', c(T - 2, 'promo', kept));
    ledger.record('p1', c(T - 1, 'promo', gone));
    ledger.record('p1', c(T - 1, 'digest', gone));
    ledger.record('p1', c(T, 'promo', 'd-odd'));
    ledger.unrecord('p1', gone);
    expect(ledger.view('p1').list().map((x) => x.decisionId)).toEqual([kept, 'd-odd']);
    ledger.unrecord('p1', 'd-odd');
    expect(ledger.view('p1').list().map((x) => x.decisionId)).toEqual([kept]);
    const budget = { name: 'b', channel: 'email', max: 10, windowMs: DAY, borrowAfter: 1 };
    expect(ledger.budgetUse(budget, T).total).toBe(1);
  });

  it('counts the contacts of the profile keys merged into a subject, and lists them in time order', () => {
    const ledger = new ContactLedger(30 * DAY);
    ledger.record('p1', c(T - 2, 'promo', id(1)));
    ledger.record('anon', c(T - 3, 'digest', id(2)));
    ledger.record('anon', c(T - 1, 'promo', 'd-old'));
    const v = ledger.view('p1', ['anon', 'unknown']);
    expect(v.count(0, { action: 'promo' })).toBe(2);
    expect(v.list().map((x) => x.at)).toEqual([T - 3, T - 2, T - 1]);
  });

  it('trims by time through ids of both forms', () => {
    const ledger = new ContactLedger(DAY);
    ledger.record('p1', c(T - 3 * DAY, 'promo', 'd-odd'));
    ledger.record('p1', c(T - 2 * DAY, 'promo', id(1)));
    ledger.record('p1', c(T, 'promo', id(2)));
    expect(ledger.view('p1').list().map((x) => x.at)).toEqual([T]);
    ledger.record('p1', c(T + 1, 'promo', 'd-late'));
    ledger.prune(T + 2 * DAY);
    expect(ledger.size).toBe(0);
  });
});

describe('pruning in slices', () => {
  const fill = (ledger: ContactLedger) => {
    for (let i = 0; i < 10; i++) {
      ledger.record(`p${i}`, { at: T - (i % 2 ? 10 : 1) * DAY, action: 'promo', channel: 'email', topics: [], decisionId: `d${i}` });
      if (i % 3 === 0) ledger.record(`p${i}`, { at: T, action: 'digest', channel: 'email', topics: [], decisionId: `e${i}` });
    }
  };
  const held = (ledger: ContactLedger) => Array.from({ length: 10 }, (_, i) => ledger.view(`p${i}`).list().map((c) => c.decisionId));

  it('goes on where it stopped and ends as one whole pass would', () => {
    const whole = new ContactLedger(7 * DAY);
    const sliced = new ContactLedger(7 * DAY);
    fill(whole);
    fill(sliced);
    whole.prune(T);
    const passes: boolean[] = [];
    for (let k = 0; k < 4; k++) passes.push(sliced.pruneSome(T, 3));
    expect(passes).toEqual([false, false, false, true]);
    expect(held(sliced)).toEqual(held(whole));
    expect(sliced.size).toBe(whole.size);
    expect(whole.size).toBe(7); // p1, p5 and p7 had one 10-day-old contact and nothing since
  });

  it('yields to the event loop between slices in the server', async () => {
    const state = new DecideState(30 * DAY, false, 7 * DAY);
    fill(state.ledger);
    let done = false;
    const pass = state.pruneInSlices(T, 2).then(() => (done = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toBe(false); // five slices of two subjects: other work ran between them
    await pass;
    const whole = new ContactLedger(7 * DAY);
    fill(whole);
    whole.prune(T);
    expect(held(state.ledger)).toEqual(held(whole));
  });
});

describe('a ledger bounded by its caps', () => {
  const HOUR = 3_600_000;
  const caps: Retention[] = [
    { channel: 'email', max: 3, windowMs: 7 * DAY },
    { topic: 'marketing', max: 2, windowMs: DAY },
    { action: 'renewal', max: 1, windowMs: 30 * DAY },
  ];
  const kinds = [
    { action: 'promo', channel: 'email', topics: ['marketing'] },
    { action: 'promo', channel: 'web', topics: ['marketing'] },
    { action: 'renewal', channel: 'email', topics: ['service'] },
    { action: 'tips', channel: 'web', topics: [] },
  ];

  it('answers every cap as a ledger that keeps everything does, over merged subjects too, with a write taken back', () => {
    // Seeded random histories (sfc32, src/measure/stats/prng.ts): four subjects, contacts every few
    // hours over 40 days, pruned every simulated ten minutes as the server does, some of the newest
    // taken back (a log write failed); every cap is asked at random times after each prune.
    const rng = createRng(20261202);
    const whole = new ContactLedger(30 * DAY);
    const bounded = new ContactLedger(30 * DAY);
    bounded.setRetention(caps);
    let now = T;
    let n = 0;
    for (let step = 0; step < 6_000; step++) {
      now += Math.floor(rng() * 40 * 60_000);
      const subject = `p${Math.floor(rng() * 4)}`;
      const k = kinds[Math.floor(rng() * kinds.length)];
      const c = { ...k, at: now - Math.floor(rng() * 60_000), decisionId: `d${n++}` };
      whole.record(subject, c);
      bounded.record(subject, c);
      if (step % 3 === 0) {
        whole.prune(now);
        bounded.prune(now);
      }
      // Its log write failed, after a prune that ran while the write was in flight.
      if (rng() < 0.1) {
        whole.unrecord(subject, c.decisionId);
        bounded.unrecord(subject, c.decisionId);
      }
      const asked = now + Math.floor(rng() * HOUR);
      const also = rng() < 0.3 ? ['p3'] : [];
      for (const cap of caps) {
        const full = whole.view(subject, also).count(asked - cap.windowMs, cap);
        const held = bounded.view(subject, also).count(asked - cap.windowMs, cap);
        if (full < cap.max) expect(held).toBe(full);
        else expect(held).toBeGreaterThanOrEqual(cap.max);
      }
      // The count of contacts held is kept as they come and go: it is what the subjects hold.
      for (const l of [whole, bounded]) expect(l.contactCount).toBe(['p0', 'p1', 'p2', 'p3'].reduce((n, p) => n + l.view(p).list().length, 0));
    }
    expect(bounded.contactCount).toBeLessThan(whole.contactCount / 3);
  });

  it('holds a few contacts a subject, whatever the rate, and every contact of the last minutes', () => {
    const ledger = new ContactLedger(30 * DAY);
    ledger.setRetention(caps);
    // 10,000 contacts to one subject over a week, one a minute.
    for (let i = 0; i < 10_000; i++) ledger.record('p1', { ...kinds[i % kinds.length], at: T + i * 60_000, decisionId: newProfileId(T + i * 60_000) });
    const end = T + 9_999 * 60_000;
    ledger.prune(end);
    const recent = Math.floor(RECENT_MS / 60_000) + 1;
    // 3 e-mails + 2 marketing + 1 renewal at most, plus the last minutes'.
    expect(ledger.contactCount).toBeLessThanOrEqual(6 + recent);
    expect(ledger.view('p1').list().filter((c) => c.at >= end - RECENT_MS)).toHaveLength(recent);
    // With no caps, only the last minutes' stay.
    ledger.setRetention([]);
    ledger.prune(end);
    expect(ledger.contactCount).toBe(recent);
  });

  it('keeps the newest dismissals of an action the suppression rule counts, and answers it as a ledger that keeps all', () => {
    const rng = createRng(7);
    const whole = new ContactLedger(30 * DAY);
    const bounded = new ContactLedger(30 * DAY);
    bounded.setRetention([], 3);
    let now = T;
    for (let i = 0; i < 3_000; i++) {
      now += Math.floor(rng() * 6 * HOUR);
      const subject = `p${Math.floor(rng() * 3)}`;
      const action = ['promo', 'tips', 'renewal'][Math.floor(rng() * 3)];
      const at = now - Math.floor(rng() * DAY); // some arrive late, out of order
      whole.dismiss(subject, at, action);
      bounded.dismiss(subject, at, action);
      const since = now - 10 * DAY;
      const also = rng() < 0.3 ? ['p2'] : [];
      for (const a of ['promo', 'tips', 'renewal']) {
        const count = (l: ContactLedger) => l.view(subject, also).dismissals.filter((d) => d.at >= since && d.action === a).length;
        if (count(whole) < 3) expect(count(bounded)).toBe(count(whole));
        else expect(count(bounded)).toBeGreaterThanOrEqual(3);
      }
      for (const s of ['p0', 'p1', 'p2']) expect(bounded.view(s).dismissals.length).toBeLessThanOrEqual(9);
    }
  });

  it('does not fit a subject whose contact write is in flight, however long the write takes', () => {
    const ledger = new ContactLedger(30 * DAY);
    ledger.setRetention([{ channel: 'email', max: 2, windowMs: 7 * DAY }]);
    const mail = (id: string, at: number) => ledger.record('p1', { at, action: 'promo', channel: 'email', topics: [], decisionId: id });
    mail('e1', T - 3 * DAY);
    mail('e2', T - 2 * DAY);
    mail('e3', T - DAY);
    ledger.prune(T);
    expect(ledger.view('p1').list().map((c) => c.decisionId)).toEqual(['e2', 'e3']);
    // A decision reserves e4; its write hangs for ten minutes, a prune runs, then the write fails.
    mail('e4', T);
    ledger.hold('p1');
    ledger.prune(T + 10 * 60_000);
    ledger.unrecord('p1', 'e4');
    ledger.release('p1');
    // Three e-mails in the week (e1–e3): the cap of two still sees two.
    expect(ledger.view('p1').count(T - 6 * DAY, { channel: 'email' })).toBe(2);
    ledger.prune(T + 10 * 60_000);
    expect(ledger.view('p1').list().map((c) => c.decisionId)).toEqual(['e2', 'e3']);
  });

  it('says when new caps need contacts the old ones let go', () => {
    const ledger = new ContactLedger(30 * DAY);
    expect(ledger.setRetention(caps)).toBe(true); // it kept everything before
    expect(ledger.setRetention(caps.slice(0, 2))).toBe(true); // a cap removed
    expect(ledger.setRetention([{ channel: 'email', max: 2, windowMs: DAY }])).toBe(true); // a lower max, a shorter window
    expect(ledger.setRetention([{ channel: 'email', max: 3, windowMs: DAY }])).toBe(false); // a higher max
    expect(ledger.setRetention([{ channel: 'email', max: 3, windowMs: 7 * DAY }])).toBe(false); // a longer window
    expect(ledger.setRetention([{ channel: 'email', topic: 'marketing', max: 1, windowMs: DAY }])).toBe(false); // another match
    expect(ledger.setRetention(undefined)).toBe(false); // everything again
    expect(ledger.setRetention(caps, 3)).toBe(true);
    expect(ledger.setRetention(caps, 2)).toBe(true); // a lower dismissal count
    expect(ledger.setRetention(caps, 4)).toBe(false); // a higher one
    expect(ledger.setRetention(caps)).toBe(false); // every dismissal
  });

  it('reads the window again from the log when the caps change to need more', async () => {
    const logged = Array.from({ length: 5 }, (_, i) => ({ profileKey: 'p1', at: T - (5 - i) * DAY, action: 'promo', channel: 'email', decisionId: `d${i}` }));
    const log = fakeDecisionLog({ contacts: logged }).store;
    const state = new DecideState(30 * DAY, false, 7 * DAY);
    state.setRetention([{ channel: 'email', max: 2, windowMs: 7 * DAY }]);
    await state.rebuild(log, () => [], T);
    // A contact of this minute, not in the log yet: it stays through the refill.
    state.ledger.record('p1', { at: T, action: 'promo', channel: 'email', topics: [], decisionId: 'd-now' });
    const ids = () => state.ledger.view('p1').list().map((c) => c.decisionId);
    expect(ids()).toEqual(['d-now']); // the older ones are read at the subject's first decision
    await state.ensureLoaded(log, ['p1'], () => [], T);
    expect(ids()).toEqual(['d3', 'd4', 'd-now']);
    const budget = { name: 'mail', channel: 'email', max: 100, windowMs: 30 * DAY, borrowAfter: 1 };
    // Windows are aligned to UTC from Monday 1970-01-05 (budgetWindowStart): this one began after some of these contacts.
    const volume = state.ledger.budgetUse(budget, T).total;
    expect(volume).toBe(1 + logged.filter((c) => c.at >= budgetWindowStart(30 * DAY, T)).length);
    state.setRetention([{ channel: 'email', max: 2, windowMs: DAY }]); // needs less: nothing to read
    expect(await state.widenContacts(log, T)).toBe(0);
    state.setRetention([{ channel: 'email', max: 4, windowMs: 7 * DAY }]);
    expect(await state.widenContacts(log, T)).toBe(1); // one subject to read again
    expect(ids()).toEqual(['d-now']);
    await state.ensureLoaded(log, ['p1'], () => [], T);
    // Read and fitted to the new cap at once: its 4 newest older than the last minutes, and this minute's.
    expect(ids()).toEqual(['d1', 'd2', 'd3', 'd4', 'd-now']);
    expect(state.ledger.view('p1').count(T - 7 * DAY, { channel: 'email' })).toBe(5); // ≥ the max of 4: capped, as with all 6
    expect(state.ledger.budgetUse(budget, T).total).toBe(volume); // read again, not counted again
    state.prune(T);
    expect(ids()).toEqual(['d1', 'd2', 'd3', 'd4', 'd-now']);
  });
});

describe('dismissals read again', () => {
  it('when the suppression rule counts more than the ledger kept', async () => {
    const dismissal = (i: number) => ({ id: `o${i}`, at: T - (5 - i) * DAY, profileKey: 'p1', type: 'dismissal', value: null, decisionId: `d${i}`, action: 'promo', credit: 1, reward: 0, success: false, source: 'api' as const });
    const log = fakeDecisionLog({ outcomes: [0, 1, 2, 3].map(dismissal) }).store;
    const state = new DecideState(30 * DAY, false, 7 * DAY);
    state.setRetention([], 2);
    await state.rebuild(log, () => [], T);
    const held = () => state.ledger.view('p1').dismissals.map((d) => d.at);
    expect(held()).toEqual([T - 3 * DAY, T - 2 * DAY]);
    state.ledger.dismiss('p1', T, 'promo'); // this minute's: kept through the refill
    state.setRetention([], 4);
    await state.widenContacts(log, T);
    expect(held()).toEqual([T - 4 * DAY, T - 3 * DAY, T - 2 * DAY, T]);
  });
});

describe('successes held', () => {
  it('for two minutes, let go by the minute’s key upkeep (the log has them after)', () => {
    const state = new DecideState(30 * DAY);
    state.applyOutcome({ id: 'o1', at: T, profileKey: 'p1', type: 'conversion', value: 5, decisionId: 'd1', action: 'promo', credit: 1, reward: 5, success: true, source: 'event' }, true);
    state.forgetKeys(T + 60_000);
    expect(state.hadSuccess('d1', 'promo')).toBe(true);
    state.forgetKeys(T + 3 * 60_000);
    expect(state.hadSuccess('d1', 'promo')).toBe(false);
    expect(state.heldSuccesses).toBe(0);
  });
});

describe('a rebuild from a long log', () => {
  // Three subjects decided for every two seconds for two days: 86,400 contacts.
  const logged: ContactRow[] = [];
  for (let i = 0; i < 86_400; i++) logged.push({ profileKey: `p${i % 3}`, at: T - 2 * DAY + i * 2_000, action: i % 2 ? 'promo' : 'tips', channel: 'email', placement: 'mail', decisionId: `d${i}` });
  const budget = { name: 'b', channel: 'email', max: 1e9, windowMs: 7 * DAY, borrowAfter: 1 };

  it('eager: reads it a page at a time and holds what the caps need while it reads', async () => {
    const pages: number[] = [];
    let peak = 0;
    const state = new DecideState(30 * DAY, false, 7 * DAY);
    const fake = fakeDecisionLog({ contacts: logged });
    const log = {
      ...fake.store,
      contactsSince: async (since: number, before = Infinity) => {
        peak = Math.max(peak, state.ledger.contactCount);
        const rows = await fake.store.contactsSince(since, before);
        pages.push(rows.length);
        return rows;
      },
    } as unknown as DecisionStore;
    state.setRetention([{ channel: 'email', action: 'promo', max: 5, windowMs: DAY }]);
    await state.rebuild(log, () => [], T, { eager: true });
    expect(pages.reduce((a, b) => a + b, 0)).toBe(86_400);
    expect(Math.max(...pages)).toBeLessThanOrEqual(60_000);
    // Each subject: 5 promos it counts, and the last five minutes' contacts (one every six seconds).
    expect(state.ledger.contactCount).toBe(3 * 5 + 150);
    expect(peak).toBeLessThan(3 * 128 + 50_000);
    expect(state.ledger.view('p1').count(T - DAY, { action: 'promo' })).toBeGreaterThanOrEqual(5);
    expect(state.ledger.budgetUse(budget, T).total).toBe(86_400);
  });

  it('lazy (the start): reads the last minutes, counts the volumes in the log, and each subject at its first decision', async () => {
    const fake = fakeDecisionLog({ contacts: logged });
    const state = new DecideState(30 * DAY, false, 7 * DAY);
    state.setLookback(30 * DAY, 7 * DAY, T, 7 * DAY);
    state.setRetention([{ channel: 'email', action: 'promo', max: 5, windowMs: DAY }]);
    await state.rebuild(fake.store, () => [], T);
    // The last five minutes' contacts (one every two seconds over three subjects), nothing older.
    expect(fake.calls.rows).toBe(150);
    expect(state.ledger.contactCount).toBe(150);
    expect(state.ledger.budgetUse(budget, T).total).toBe(86_400);
    await state.ensureLoaded(fake.store, ['p1'], () => [], T);
    expect(fake.calls.contactsOf).toBe(1);
    // p1's newest 64 older contacts read once — they hold the cap's 5 promos of the day, so nothing
    // older is read — and fitted to the cap at once.
    expect(fake.calls.rows).toBe(150 + 64);
    expect(state.ledger.view('p1').count(T - DAY, { action: 'promo' })).toBeGreaterThanOrEqual(5);
    expect(state.ledger.contactCount).toBe(150 + 5);
    await state.ensureLoaded(fake.store, ['p1'], () => [], T);
    expect(fake.calls.contactsOf).toBe(1); // loaded: not read again
    expect(state.lazyReads).toEqual({ subjects: 1, contacts: 64, pages: 1 });
    // A cap the newest page cannot answer (one web contact a week: the page holds none, the log may
    // further back) reads all of the subject's older contacts.
    state.setRetention([{ channel: 'web', max: 1, windowMs: 7 * DAY }]);
    await state.widenContacts(fake.store, T);
    await state.ensureLoaded(fake.store, ['p2'], () => [], T);
    expect(state.lazyReads).toEqual({ subjects: 2, contacts: 64 + (86_400 - 150) / 3, pages: 1 });
  });
});

describe('a widened contact window', () => {
  // The decision log as the state reads it: two e-mails to p1, 10 and 2 days before T.
  const log = fakeDecisionLog({
    contacts: [
      { profileKey: 'p1', at: T - 10 * DAY, action: 'promo', channel: 'email', decisionId: 'd-old' },
      { profileKey: 'p1', at: T - 2 * DAY, action: 'promo', channel: 'email', decisionId: 'd-new' },
    ],
  }).store;
  const held = async (s: DecideState) => {
    await s.ensureLoaded(log, ['p1'], () => [], T);
    return s.ledger.view('p1').list().map((c) => c.decisionId);
  };

  it('reads from the log the contacts the ledger no longer holds, once', async () => {
    const state = new DecideState(30 * DAY);
    state.setLookback(30 * DAY, 7 * DAY, T);
    await state.rebuild(log, () => [], T);
    expect(await held(state)).toEqual(['d-new']);
    // A 30-day cap is added: the 10-day-old e-mail counts again.
    state.setLookback(30 * DAY, 30 * DAY, T);
    expect(await state.widenContacts(log, T)).toBe(1);
    expect(await held(state)).toEqual(['d-old', 'd-new']);
    expect(await state.widenContacts(log, T)).toBe(0);
    // Narrowed, then widened again: what the narrow window let go is read again.
    state.setLookback(30 * DAY, 7 * DAY, T);
    state.ledger.prune(T);
    expect(await held(state)).toEqual(['d-new']);
    state.setLookback(30 * DAY, 30 * DAY, T);
    expect(await state.widenContacts(log, T)).toBe(1);
    expect(await held(state)).toEqual(['d-old', 'd-new']);
  });

  it('reads the channel volumes a longer budget window counts', async () => {
    const state = new DecideState(30 * DAY);
    const budget = (days: number) => ({ name: 'b', channel: 'email', max: 1e9, windowMs: days * DAY, borrowAfter: 1 });
    // Budget windows are aligned to UTC from Monday 1970-01-05 (budgetWindowStart): count what the aligned window holds.
    const inWindow = (days: number) => [T - 10 * DAY, T - 2 * DAY].filter((at) => at >= budgetWindowStart(days * DAY, T)).length;
    state.setLookback(30 * DAY, 30 * DAY, T, 3 * DAY);
    await state.rebuild(log, () => [], T);
    expect(state.ledger.budgetUse(budget(3), T).total).toBe(inWindow(3));
    state.setLookback(30 * DAY, 30 * DAY, T, 30 * DAY);
    await state.widenContacts(log, T);
    expect(state.ledger.budgetUse(budget(30), T).total).toBe(inWindow(30));
  });
});

describe('a shared store’s applied contacts', () => {
  const empty = fakeDecisionLog().store;
  const row = (at: number, decisionId: string): ContactRow => ({ profileKey: 'p1', at, action: 'promo', channel: 'email', placement: 'mail', decisionId });

  it('are remembered while a sync may read them again, and not for the whole look-back', async () => {
    const state = new DecideState(30 * DAY, true);
    await state.rebuild(empty, () => [], T);
    const c = row(T + 1_000, 'd1');
    state.applyContact(c, []);
    // A sync reads from 5 s before the last one: the row comes again and is not counted twice.
    const again = { ...empty, contactsSince: async (since: number, before = Infinity) => [c].filter((x) => x.at >= since && x.at < before) } as unknown as DecisionStore;
    state.prune(T + 10 * 60_000);
    await state.sync(again, () => [], T + 2_000);
    expect(state.ledger.view('p1').count(0, {})).toBe(1);
    expect(state.knownAt(state.stamp).contact(c)).toBe(true);
    // Once syncs have moved on past it, its key goes (the contact stays in the ledger for the caps).
    await state.sync(empty, () => [], T + 60 * 60_000);
    state.prune(T + 60 * 60_000);
    expect(state.knownAt(state.stamp).contact(c)).toBe(false);
    expect(state.ledger.view('p1').count(0, {})).toBe(1);
  });
});
