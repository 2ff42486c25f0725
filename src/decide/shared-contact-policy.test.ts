import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import type { DecisionRecord } from './decision.js';
import { SubjectMoved } from './decider.js';
import { join } from 'node:path';
import { openPostgresStore } from '../store/postgres/postgres-store.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { testDir } from '../../test/tmp.js';
import { until } from '../../test/until.js';
import type { Store } from '../store/store.js';
import { bearer, harness, openTestStore, send } from '../../test/harness.js';
import { shopConfig } from './fixtures.js';
import { advertising } from './test-http.js';

/** One e-mail a week per subject; a dismissed action is not offered again for 30 days. */
const config = {
  catalog: {
    actions: [
      { id: 'spring-sale', name: 'Spring sale', channels: ['email'], value: 10 },
      { id: 'new-arrivals', name: 'New arrivals', channels: ['web'], value: 5 },
    ],
    placements: [
      { id: 'weekly', channel: 'email', slots: 1 },
      { id: 'home', channel: 'web', slots: 1 },
    ],
  },
  policy: { exploration: { budget: 0 }, contact: { caps: [{ name: 'one e-mail a week', channel: 'email', max: 1, window: '7d' }], dismissals: { count: 1, window: '30d' } } },
};

const start = (store: Store) => harness(store.kind, { store, config });
const post = (app: FastifyInstance, url: string, payload: object) => app.inject({ method: 'POST', url, headers: { authorization: bearer(), 'content-type': 'application/json' }, payload });

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

/** Two processes on one fresh PostgreSQL database, with the same configuration; closed after the test. */
async function twoProcesses(cfg: Record<string, unknown>) {
  const { store: storeA, url, cleanup } = await openTestStore('postgres');
  const storeB = await openPostgresStore({ connectionString: url as string, poolSize: 4 });
  const a = await harness('postgres', { store: storeA, config: cfg });
  const b = await harness('postgres', { store: storeB, config: cfg });
  cleanups.push(async () => {
    for (const p of [a, b]) await p.close();
    await storeB.close();
    await cleanup();
  });
  return { a, b, storeA };
}


describe('contact policy with simultaneous decisions in one process', () => {
  it.each(['sqlite', 'postgres'] as const)('one e-mail per subject however many decisions for it run at once (%s)', async (kind) => {
    const { store, cleanup } = await openTestStore(kind);
    const p = await start(store);
    cleanups.push(async () => (await p.close(), await cleanup()));
    for (let s = 0; s < 20; s++) {
      const answers = await Promise.all(Array.from({ length: 8 }, () => post(p.app, '/v1/decide', { subject: `solo-${s}`, placement: 'weekly' })));
      for (const r of answers) expect(r.statusCode, r.body).toBe(200);
      expect(answers.filter((r) => r.json().choices[0].kind === 'action'), `solo-${s}`).toHaveLength(1);
    }
  });

  it.each(['sqlite', 'postgres'] as const)('decisions for one subject at once take turns: each is made once, none again (%s)', async (kind) => {
    const { store, cleanup } = await openTestStore(kind);
    const p = await start(store);
    cleanups.push(async () => (await p.close(), await cleanup()));
    const decider = p.tact.decide.decider;
    let made = 0;
    const prepare = decider.prepare.bind(decider);
    decider.prepare = (...args) => (made++, prepare(...args));
    // Every one takes a web contact (no cap on the web): were they made side by side, each one
    // logged would move the subject's ledger under the others, and they would be made again.
    const answers = await Promise.all(Array.from({ length: 12 }, () => post(p.app, '/v1/decide', { subject: 'tabs', placement: 'home' })));
    for (const r of answers) expect(r.statusCode, r.body).toBe(200);
    expect(answers.filter((r) => r.json().choices[0].kind === 'action')).toHaveLength(12);
    expect(made).toBe(12);
  });

  it('a decision whose subject got a contact after its pipeline ran is not logged; decide() makes it again', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    const p = await start(store);
    cleanups.push(async () => (await p.close(), await cleanup()));
    const decider = p.tact.decide.decider;
    // Both pipelines run before either is logged: both would e-mail.
    const [one, two] = [await decider.prepare({ subject: 'race', placement: 'weekly' }), await decider.prepare({ subject: 'race', placement: 'weekly' })];
    expect([one.record.choices[0].kind, two.record.choices[0].kind]).toEqual(['action', 'action']);
    await decider.commit(one);
    await expect(decider.commit(two)).rejects.toBeInstanceOf(SubjectMoved);
    expect(await store.decisions.getDecision(two.record.id)).toBeUndefined();
    const again = await decider.decide({ subject: 'race', placement: 'weekly' });
    expect(again.choices[0].kind).not.toBe('action');
  });

  it('a decision that chose "none" is made again too when the ledger moved under it: its logged propensity is then exact', async () => {
    // Were only decisions that chose an action made again, "none" would be logged with the
    // probability it had on the stale view, while a redrawn action could also end as "none":
    // "none" would come out more often than its logged propensity says.
    const { store, cleanup } = await openTestStore('sqlite');
    const p = await start(store);
    cleanups.push(async () => (await p.close(), await cleanup()));
    const decider = p.tact.decide.decider;
    const first = await decider.decide({ subject: 'quiet', placement: 'weekly' });
    expect(first.choices[0].kind).toBe('action');
    const capped = await decider.prepare({ subject: 'quiet', placement: 'weekly' });
    expect(capped.record.choices[0].kind).toBe('none');
    // A dismissal of the first e-mail comes in before the second decision is logged.
    expect((await post(p.app, '/v1/outcomes', { decisionId: first.id, type: 'dismissal' })).statusCode).toBe(200);
    await expect(decider.commit(capped)).rejects.toBeInstanceOf(SubjectMoved);
    expect(await store.decisions.getDecision(capped.record.id)).toBeUndefined();
  });

  it('a decision made before the subject had a profile is made again when the profile came meanwhile', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    const p = await start(store);
    cleanups.push(async () => (await p.close(), await cleanup()));
    const decider = p.tact.decide.decider;
    // A visitor, decided for before any event of theirs (under `anon:v2`); then their first event,
    // and a decision for their profile, logged first.
    const early = await decider.prepare({ subject: 'v2', placement: 'weekly' });
    expect(early.record.profileKey).toBe('anon:v2');
    expect((await send(p.app, '/v1/track', { anonymousId: 'v2', event: 'Product Viewed' })).statusCode).toBe(200);
    const late = await decider.prepare({ subject: 'v2', placement: 'weekly' });
    expect(late.record.profileKey).not.toBe('anon:v2');
    expect([early.record.choices[0].kind, late.record.choices[0].kind]).toEqual(['action', 'action']);
    await decider.commit(late);
    await expect(decider.commit(early)).rejects.toBeInstanceOf(SubjectMoved);
    expect(await store.decisions.getDecision(early.record.id)).toBeUndefined();
    expect((await decider.decide({ subject: 'v2', placement: 'weekly' })).choices[0].kind).not.toBe('action');
  });
  it('a decision for a profile that merged away meanwhile is made again, under the profile it merged into', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    const p = await start(store);
    cleanups.push(async () => (await p.close(), await cleanup()));
    const decider = p.tact.decide.decider;
    expect((await send(p.app, '/v1/identify', { userId: 'ida' })).statusCode).toBe(200);
    expect((await send(p.app, '/v1/track', { anonymousId: 'ida-phone', event: 'Product Viewed' })).statusCode).toBe(200);
    // The phone's profile is decided for; meanwhile it merges into ida's, and ida is e-mailed.
    const early = await decider.prepare({ subject: 'ida-phone', placement: 'weekly' });
    expect(early.record.choices[0].kind).toBe('action');
    expect((await send(p.app, '/v1/alias', { userId: 'ida', previousId: 'ida-phone' })).statusCode).toBe(200);
    expect((await decider.decide({ subject: 'ida', placement: 'weekly' })).choices[0].kind).toBe('action');
    await expect(decider.commit(early)).rejects.toBeInstanceOf(SubjectMoved);
    expect(await store.decisions.getDecision(early.record.id)).toBeUndefined();
    expect((await decider.decide({ subject: 'ida-phone', placement: 'weekly' })).choices[0].kind).not.toBe('action');
  });
  it('a decision asked for while a merge commits waits for the commit and counts the merged profile\'s contacts, then and after', async () => {
    const { store, cleanup } = await openTestStore('sqlite', join(testDir('tact-merge-window-'), 'tact.db'));
    const p = await start(store);
    cleanups.push(async () => (await p.close(), await cleanup()));
    const db = (store as SqliteStore).db;
    expect((await send(p.app, '/v1/identify', { userId: 'eve' })).statusCode).toBe(200);
    expect((await send(p.app, '/v1/track', { anonymousId: 'eve-phone', event: 'Product Viewed' })).statusCode).toBe(200);
    // The phone's profile is e-mailed; then it merges into eve's, and eve is decided for (on the
    // web, no cap) while that merge waits to commit.
    expect((await post(p.app, '/v1/decide', { subject: 'eve-phone', placement: 'weekly' })).json().choices[0].kind).toBe('action');
    // Counted, so the test waits for what it needs instead of for a time (a slow machine could
    // otherwise let the merge commit first, and the test pass without exercising the window).
    const seen = { resolved: 0, logged: 0, waited: 0 };
    const collection = store.collect as SqliteStore['collect'];
    const ingest = collection.ingest.bind(collection);
    collection.ingest = (items, compute, epoch) => (seen.resolved++, ingest(items, compute, epoch));
    const uncommitted = collection.uncommitted.bind(collection);
    collection.uncommitted = (id) => {
      const pending = uncommitted(id);
      if (pending) seen.waited++;
      return pending;
    };
    const append = store.decisions.appendDecision.bind(store.decisions);
    store.decisions.appendDecision = (d) => (seen.logged++, append(d));
    db.exec('BEGIN IMMEDIATE');
    const merging = send(p.app, '/v1/alias', { userId: 'eve', previousId: 'eve-phone' });
    await until(() => seen.resolved >= 1);
    const web = post(p.app, '/v1/decide', { subject: 'eve', placement: 'home' });
    // The web decision reads eve's merged keys while the merge is uncommitted: it waits for the
    // commit rather than count eve's contacts without the phone's — and is not logged before it.
    await until(() => seen.waited >= 1);
    expect(seen.logged).toBe(0);
    db.exec('COMMIT');
    expect((await merging).statusCode).toBe(200);
    expect((await web).statusCode).toBe(200);
    // The week's e-mail was the phone's, and the phone is eve's now: no second one.
    const weekly = (await post(p.app, '/v1/decide', { subject: 'eve', placement: 'weekly' })).json();
    expect(weekly.choices[0].kind).not.toBe('action');
    expect(JSON.stringify(weekly.explanation)).toContain('one e-mail a week');
  });
});

describe('contact policy with two processes on one PostgreSQL database', () => {
  it('a cap and a dismissal hold across processes deciding for the same subjects at the same moment', async () => {
    const { a, b } = await twoProcesses(config);
    // Twenty subjects, each asked for 6 times at once, 3 times through each process, while both
    // processes sync (so rows arrive in a ledger between a decision's pipeline and its log write): one e-mail each, no more.
    for (let s = 0; s < 20; s++) {
      const asks = Array.from({ length: 6 }, (_, i) => post(i % 2 ? b.app : a.app, '/v1/decide', { subject: `shopper-${s}`, placement: 'weekly' }));
      const [answers] = await Promise.all([Promise.all(asks), a.tact.decide.sync(), b.tact.decide.sync(), new Promise((r) => setTimeout(r, 1)).then(() => Promise.all([a.tact.decide.sync(), b.tact.decide.sync()]))]);
      for (const r of answers) expect(r.statusCode, r.body).toBe(200);
      const emails = answers.filter((r) => r.json().choices[0].kind === 'action');
      expect(emails, `shopper-${s}`).toHaveLength(1);
      // The others say why: the cap, met by the decision the other process (or this one) made.
      const held = answers.find((r) => r.json().choices[0].kind !== 'action')!.json();
      expect(JSON.stringify(held.explanation)).toContain('one e-mail a week');
    }
    // A dismissal reported to B suppresses the action in A's very next decision for that subject.
    const first = (await post(a.app, '/v1/decide', { subject: 'browser-1', placement: 'home' })).json();
    expect(first.choices[0].action).toBe('new-arrivals');
    expect((await post(b.app, '/v1/outcomes', { decisionId: first.decisionId, type: 'dismissal' })).statusCode).toBe(200);
    const next = (await post(a.app, '/v1/decide', { subject: 'browser-1', placement: 'home' })).json();
    expect(next.choices[0].kind).not.toBe('action');
  });
});

describe('a subject that moved while a decision for it was made, two processes on one PostgreSQL database', () => {
  it('a decision made before the subject had a profile is made again when a decision for the new profile was logged meanwhile', async () => {
    const { a, b } = await twoProcesses(config);
    const early = await a.tact.decide.decider.prepare({ subject: 'v3', placement: 'weekly' });
    expect(early.record.profileKey).toBe('anon:v3');
    expect((await send(b.app, '/v1/track', { anonymousId: 'v3', event: 'Product Viewed' })).statusCode).toBe(200);
    expect((await post(b.app, '/v1/decide', { subject: 'v3', placement: 'weekly' })).json().choices[0].kind).toBe('action');
    await expect(a.tact.decide.decider.commit(early)).rejects.toBeInstanceOf(SubjectMoved);
    expect((await post(a.app, '/v1/decide', { subject: 'v3', placement: 'weekly' })).json().choices[0].kind).not.toBe('action');
  });

  it('a decision for a profile that merged away meanwhile is made again, under the profile it merged into', async () => {
    const { a, b } = await twoProcesses(config);
    expect((await send(b.app, '/v1/identify', { userId: 'kai' })).statusCode).toBe(200);
    expect((await send(b.app, '/v1/track', { anonymousId: 'kai-phone', event: 'Product Viewed' })).statusCode).toBe(200);
    // The phone's profile is decided for in A; meanwhile it merges into kai's, and B e-mails kai.
    const early = await a.tact.decide.decider.prepare({ subject: 'kai-phone', placement: 'weekly' });
    expect(early.record.choices[0].kind).toBe('action');
    expect((await send(b.app, '/v1/alias', { userId: 'kai', previousId: 'kai-phone' })).statusCode).toBe(200);
    expect((await post(b.app, '/v1/decide', { subject: 'kai', placement: 'weekly' })).json().choices[0].kind).toBe('action');
    await expect(a.tact.decide.decider.commit(early)).rejects.toBeInstanceOf(SubjectMoved);
    expect((await post(a.app, '/v1/decide', { subject: 'kai-phone', placement: 'weekly' })).json().choices[0].kind).not.toBe('action');
  });
});

describe('global budgets with two processes on one PostgreSQL database', () => {
  /** At most 12 e-mails a day in all, shared by two offers (equal weights: 6 each until 80% of the day has gone). */
  const budgeted = {
    catalog: {
      actions: [
        { id: 'spring-sale', name: 'Spring sale', channels: ['email'], value: 10 },
        { id: 'new-arrivals', name: 'New arrivals', channels: ['email'], value: 9 },
      ],
      placements: [{ id: 'weekly', channel: 'email', slots: 1 }],
    },
    policy: { exploration: { budget: 0 }, contact: { budgets: [{ name: 'email budget', channel: 'email', max: 12, window: '1d', borrowAfter: 1 }] } },
  };

  it('a budget and its fair shares hold exactly however the decisions split between the processes', async () => {
    const { a, b, storeA } = await twoProcesses(budgeted);
    // 40 subjects at once, half through each process, no sync in between: each process alone
    // believes the whole budget is still there.
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => post(i % 2 ? b.app : a.app, '/v1/decide', { subject: `reader-${i}`, placement: 'weekly' })));
    for (const r of answers) expect(r.statusCode, r.body).toBe(200);
    const sent = answers.map((r) => r.json().choices[0]).filter((c) => c.kind === 'action');
    expect(sent).toHaveLength(12);
    // Each offer's fair share is 6: the better-valued one cannot take the whole budget.
    expect(sent.filter((c) => c.action === 'spring-sale')).toHaveLength(6);
    expect(sent.filter((c) => c.action === 'new-arrivals')).toHaveLength(6);
    const refused = answers.find((r) => r.json().choices[0].kind !== 'action')!.json();
    expect(JSON.stringify(refused.explanation)).toContain('email budget');
    // The log agrees: twelve e-mails, whichever process logged them.
    const logged = await storeA.decisions.contactsSince(0);
    expect(logged).toHaveLength(12);
  });
});

describe('a burst of decisions for one subject, two processes on one PostgreSQL database', () => {
  /** At most 8 web offers a day per person; at most 5 e-mails a day in all (one e-mail offer: its fair share is the whole budget). */
  const burst = {
    catalog: config.catalog,
    policy: {
      exploration: { budget: 0 },
      contact: { caps: [{ name: 'eight web offers a day', channel: 'web', max: 8, window: '1d' }], budgets: [{ name: 'email budget', channel: 'email', max: 5, window: '1d', borrowAfter: 1 }] },
    },
  };

  it('twelve decisions at once for one subject, six through each process, all answered; the cap and the budget hold exactly', async () => {
    const { a, b, storeA } = await twoProcesses(burst);
    const twelve = (placement: string) => Promise.all(Array.from({ length: 12 }, (_, i) => post(i % 2 ? b.app : a.app, '/v1/decide', { subject: 'page-1', placement })));
    // A page with many placements asking at once: every decision takes a contact until the cap is
    // met, so each one logged moves the subject's ledger under all the others.
    const web = await twelve('home');
    for (const r of web) expect(r.statusCode, r.body).toBe(200);
    expect(web.filter((r) => r.json().choices[0].kind === 'action')).toHaveLength(8);
    const capped = web.find((r) => r.json().choices[0].kind !== 'action')!.json();
    expect(JSON.stringify(capped.explanation)).toContain('eight web offers a day');
    // The same through the global budget: five e-mails, whichever process logged them.
    const email = await twelve('weekly');
    for (const r of email) expect(r.statusCode, r.body).toBe(200);
    expect(email.filter((r) => r.json().choices[0].kind === 'action')).toHaveLength(5);
    const spent = email.find((r) => r.json().choices[0].kind !== 'action')!.json();
    expect(JSON.stringify(spent.explanation)).toContain('email budget');
    // The log agrees: eight web offers and five e-mails for the subject, no more.
    const logged = await storeA.decisions.contactsSince(0);
    expect(logged.filter((c) => c.channel === 'web')).toHaveLength(8);
    expect(logged.filter((c) => c.channel === 'email')).toHaveLength(5);
  });
});

describe('reviews with two processes on one PostgreSQL database', () => {
  it('one review per person and action, and one delivery of it, however the decisions split between the processes', async () => {
    const shop = shopConfig();
    const { a, b, storeA } = await twoProcesses(shop);
    for (let s = 0; s < 5; s++) await send(a.app, '/v1/identify', { userId: `fin-${s}`, traits: { segment: 'finance' }, context: advertising });
    // Six decisions for each person at once, three through each process, no sync in between.
    for (let s = 0; s < 5; s++) {
      const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => post(i % 2 ? b.app : a.app, '/v1/decide', { subject: `fin-${s}`, placement: 'home' })));
      for (const r of answers) expect(r.statusCode, r.body).toBe(200);
      expect(new Set(answers.map((r) => r.json().choices[0].held?.reviewId)).size, `fin-${s}`).toBe(1);
    }
    const pending = await storeA.decisions.listHolds({ status: 'pending', limit: 100 });
    expect(pending).toHaveLength(5);
    // Approved through one process; both fold it in; then six decisions at once deliver it once.
    await a.tact.decide.reviews.decide(pending[0].id, 'approved', 'kim');
    await Promise.all([a.tact.decide.sync(), b.tact.decide.sync()]);
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => post(i % 2 ? b.app : a.app, '/v1/decide', { subject: pending[0].subject, placement: 'home' })));
    for (const r of answers) expect(r.statusCode, r.body).toBe(200);
    expect(answers.filter((r) => r.json().choices[0].action === 'loan-offer')).toHaveLength(1);
  });
});

describe('the guarded append on PostgreSQL', () => {
  it('waits for a decision in flight under any key of the subject, not only its profile key', async () => {
    // Process A is logging a decision for `v1` made before v1's first event (key `anon:v1`), while
    // process B decides for v1's profile, whose keys include `anon:v1`: B must wait for A's commit,
    // or neither sees the other's contact and both pass a cap.
    const { store, url, cleanup } = await openTestStore('postgres');
    const a = new pg.Client({ connectionString: url });
    await a.connect();
    cleanups.push(async () => (await a.end(), await cleanup()));
    await a.query('BEGIN');
    await a.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 7))', ['anon:v1']);
    const at = Date.now();
    const record: DecisionRecord = {
      id: 'd-b', at, profileKey: 'p-v1', subject: 'v1', placement: 'weekly', channel: 'email', context: {}, policyVersion: 1, catalogVersion: 1, modelVersion: 'm',
      arm: 'treatment', choices: [{ rank: 1, kind: 'action', action: 'spring-sale', score: 1, propensity: 1, why: '' }],
      scored: [], excluded: [], facts: {}, absentFacts: [], operator: '', customer: '', excludedByStage: {},
    };
    const known = { contact: () => false, outcome: () => false, hold: () => false };
    let settled = false;
    const b = (store.decisions.appendIfCurrent as NonNullable<typeof store.decisions.appendIfCurrent>).call(store.decisions, record, at - 1000, known, { also: ['anon:v1'] }).finally(() => (settled = true));
    await new Promise((r) => setTimeout(r, 400));
    expect(settled, 'B went ahead while A held the subject').toBe(false);
    await a.query('COMMIT');
    await expect(b).resolves.toBeNull();
  });
});
