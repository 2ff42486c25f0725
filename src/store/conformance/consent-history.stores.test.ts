import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { get, harness, send, type Harness, type StoreKind } from '../../../test/harness.js';
import type { SqliteStore } from '../sqlite/sqlite-store.js';

/** One consent statement: when, and what it says (a purpose left out is not stated). */
type Statement = { t: number; prefs: Record<string, boolean> };
type Row = { at: string; messageId: string; changes: Record<string, boolean> };

/** A seeded generator (mulberry32), so a failure replays. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` statements at distinct times a minute apart, each stating Advertising, Analytics or both, at random. */
function statements(n: number, seed: number, t0: number): Statement[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const prefs: Record<string, boolean> = {};
    const which = Math.floor(r() * 3);
    if (which !== 1) prefs.Advertising = r() < 0.5;
    if (which !== 0) prefs.Analytics = r() < 0.5;
    return { t: t0 + i * 60_000, prefs };
  });
}

function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const r = rng(seed);
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

async function track(h: Harness, who: Record<string, string>, id: string, s: Statement): Promise<void> {
  const r = await send(h.app, '/v1/track', { ...who, event: 'Page Viewed', messageId: id, timestamp: new Date(s.t).toISOString(), context: { consent: { categoryPreferences: s.prefs } } });
  expect(r.statusCode).toBe(200);
}

/** The statements sent in one batch call, in the order given (the order they arrive in). */
async function batch(h: Harness, who: Record<string, string>, prefix: string, all: readonly Statement[], order: readonly number[]): Promise<void> {
  const r = await send(h.app, '/v1/batch', { batch: order.map((i) => ({ type: 'track', ...who, event: 'Page Viewed', messageId: `${prefix}-${i}`, timestamp: new Date(all[i].t).toISOString(), context: { consent: { categoryPreferences: all[i].prefs } } })) });
  expect(r.statusCode).toBe(200);
}

type Status = { complete: boolean; incompleteSince?: string; cause?: string; note?: string };

/** The profile's history with each message id's prefix (which copy of the statements) taken off, and its status. */
async function answer(h: Harness, identifier: string): Promise<{ rows: Row[]; status: Status; raw: Row[] }> {
  // No recent events: they are read by sequence number too, and countEventReads counts the rebuild's.
  const p = (await get(h.app, `/v1/profiles/${identifier}?events=0`)).json() as { consentHistory: Row[]; consentHistoryStatus: Status };
  return { rows: p.consentHistory.map((r) => ({ ...r, messageId: r.messageId.replace(/^[^-]+-/, '') })), status: p.consentHistoryStatus, raw: p.consentHistory };
}

/** The profile's history, asserted complete: what the store rebuilt by key (SQLite) or by index (PostgreSQL). */
async function history(h: Harness, identifier: string): Promise<Row[]> {
  const a = await answer(h, identifier);
  expect(a.status, `${identifier}: consentHistoryStatus`).toEqual({ complete: true });
  return a.rows;
}

/** The SQLite store's consent rows as stored (arrival order), newest first, as its answer lists them. */
function storedRows(h: Harness, profileId: string): Row[] {
  const db = (h.store as SqliteStore).db;
  return (db.prepare('SELECT at, message_id AS messageId, changes FROM consent_history WHERE profile_id = ? ORDER BY at DESC, id DESC LIMIT 50').all(profileId) as { at: number; messageId: string; changes: string }[])
    .map((r) => ({ at: new Date(r.at).toISOString(), messageId: r.messageId, changes: JSON.parse(r.changes) as Record<string, boolean> }));
}

/** Counts the SQLite profile store's reads of events by sequence number (the one way its history rebuild reads the log). */
function countEventReads(h: Harness): { reads: number } {
  const s = (h.store as SqliteStore).profiles as unknown as { s: { eventBySeq: { get: (...a: unknown[]) => unknown } } };
  const count = { reads: 0 };
  const get = s.s.eventBySeq.get.bind(s.s.eventBySeq);
  s.s.eventBySeq = { ...s.s.eventBySeq, get: (...a: unknown[]) => {
    count.reads++;
    return get(...a);
  } };
  return count;
}

/** SQLite's query plan of a statement (its parameters bound to null), one line per step. */
function plan(db: SqliteStore['db'], sql: string): string[] {
  for (let n = 0; n < 8; n++) {
    try {
      return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...Array<null>(n).fill(null)) as { detail: string }[]).map((r) => r.detail);
    } catch (err) {
      if (!/parameter/i.test(String(err))) throw err;
    }
  }
  throw new Error(`Could not bind the parameters of ${sql}`);
}

const T0 = Date.parse('2026-11-01T00:00:00Z');

/**
 * The consent history is the event-time order's, whatever order the messages arrived in: the same
 * statements sent in time order to one profile (each a change only when it differs from the one
 * before it, the exact path) and shuffled to another must give the same history.
 */
describe.each(['sqlite', 'postgres'] as StoreKind[])('consent history under any arrival order (%s)', (kind) => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness(kind);
  });
  afterEach(async () => h.close());

  it('a shuffled arrival gives the history of the event-time order, also once the states are stored and read back', async () => {
    const all = statements(40, 7, T0);
    for (const [i, s] of all.entries()) await track(h, { userId: 'ch-ordered' }, `o-${i}`, s);
    const order = shuffled([...all.keys()], 11);
    for (const i of order) await track(h, { userId: 'ch-shuffled' }, `s-${i}`, all[i]);

    const expected = await history(h, 'ch-ordered');
    expect(expected.length).toBeGreaterThan(15); // the scenario has many changes to lose
    expect(await history(h, 'ch-shuffled')).toEqual(expected);
    if (kind === 'sqlite') {
      // The mark is part of the state: a checkpoint and a cold read keep it.
      const s = h.store as SqliteStore;
      await s.collect.checkpoint();
      s.collect.cool();
      expect(await history(h, 'ch-shuffled')).toEqual(expected);
    }
    // The current consent is the latest statement's either way.
    const cur = (id: string) => get(h.app, `/v1/profiles/${id}`).then((r) => Object.fromEntries(Object.entries(r.json().consent as Record<string, { granted: boolean }>).map(([k, c]) => [k, c.granted])));
    expect(await cur('ch-shuffled')).toEqual(await cur('ch-ordered'));
  });

  it.each([['each in time order', false], ['each out of order', true]])('two profiles that merge (%s) give the history of one profile that received all their statements in time order', async (_, mixed) => {
    const all = statements(30, 21, T0);
    for (const [i, s] of all.entries()) await track(h, { userId: 'cm-ref' }, `r-${i}`, s);
    // Odd statements on the anonymous profile, even ones on the user's.
    const odd = [...all.keys()].filter((i) => i % 2 === 1);
    const even = [...all.keys()].filter((i) => i % 2 === 0);
    for (const i of mixed ? shuffled(odd, 3) : odd) await track(h, { anonymousId: 'cm-anon' }, `a-${i}`, all[i]);
    for (const i of mixed ? shuffled(even, 5) : even) await track(h, { userId: 'cm-user' }, `u-${i}`, all[i]);
    const r = await send(h.app, '/v1/identify', { userId: 'cm-user', anonymousId: 'cm-anon', messageId: 'm-identify', timestamp: new Date(T0 + 31 * 60_000).toISOString() });
    expect(r.statusCode).toBe(200);
    const merged = (await get(h.app, '/v1/profiles/cm-user')).json() as { merges: unknown[] };
    expect(merged.merges).toHaveLength(1);

    const expected = await history(h, 'cm-ref');
    expect(expected.length).toBeGreaterThan(10);
    expect(await history(h, 'cm-user')).toEqual(expected);

    // A statement arriving after the merge, late, on the merged-away profile's identifier.
    const late: Statement = { t: T0 + 90_000, prefs: { Advertising: !all[1].prefs.Advertising, Analytics: true } };
    await track(h, { userId: 'cm-ref' }, 'r-late', late);
    await track(h, { anonymousId: 'cm-anon' }, 'a-late', late);
    expect(await history(h, 'cm-user')).toEqual(await history(h, 'cm-ref'));
  });

  it('a visitor with a few recent statements who logs in to a profile with a long history: the merge is rebuilt exactly (on SQLite from the 50 newest events, read by key)', async () => {
    const all = statements(80, 41, T0);
    const keys = [...all.keys()];
    await batch(h, { userId: 'cl-ref' }, 'r', all, keys);
    const visit = keys.filter((i) => i >= 74);
    await batch(h, { userId: 'cl-user' }, 'u', all, keys.filter((i) => !visit.includes(i)));
    await batch(h, { anonymousId: 'cl-anon' }, 'a', all, shuffled(visit, 9));
    const r = await send(h.app, '/v1/identify', { userId: 'cl-user', anonymousId: 'cl-anon', messageId: 'm-identify-cl', timestamp: new Date(T0 + 81 * 60_000).toISOString() });
    expect(r.statusCode).toBe(200);
    const reads = kind === 'sqlite' ? countEventReads(h) : undefined;
    const expected = await history(h, 'cl-ref');
    expect(expected.length).toBeGreaterThan(20);
    expect(await history(h, 'cl-user')).toEqual(expected);
    // Only the events since the mark (the visitor's first, 74), each by its sequence number.
    if (reads) expect(reads.reads).toBe(7);
  });

  it('beyond the 50 newest events: PostgreSQL rebuilds exactly; SQLite answers its stored rows and says from when and why they may miss changes, without scanning the event log', async () => {
    const all = statements(60, 33, T0);
    const keys = [...all.keys()];
    await batch(h, { userId: 'cs-ref' }, 'r', all, keys);
    await batch(h, { userId: 'cs-one' }, 'o', all, keys);
    await batch(h, { anonymousId: 'cs-anon' }, 'a', all, keys.filter((i) => i % 2 === 1));
    await batch(h, { userId: 'cs-user' }, 'u', all, keys.filter((i) => i % 2 === 0));
    const r = await send(h.app, '/v1/identify', { userId: 'cs-user', anonymousId: 'cs-anon', messageId: 'm-identify-cs', timestamp: new Date(T0 + 61 * 60_000).toISOString() });
    expect(r.statusCode).toBe(200);
    const inOrder = await history(h, 'cs-ref');
    expect(inOrder.length).toBeGreaterThan(20);
    // Late by more than the 50 newest events: before the first statement, on one profile and on the merged-away id.
    const late: Statement = { t: T0 - 60_000, prefs: { Advertising: !all[0].prefs.Advertising, Analytics: true } };
    await batch(h, { userId: 'cs-ref' }, 'rl', [late], [0]);
    await batch(h, { userId: 'cs-one' }, 'ol', [late], [0]);
    await batch(h, { anonymousId: 'cs-anon' }, 'al', [late], [0]);
    // The reference received the late statement first of all: its history is the event-time one.
    await batch(h, { userId: 'cs-exact' }, 'xl', [late], [0]);
    await batch(h, { userId: 'cs-exact' }, 'x', all, keys);
    const exact = await history(h, 'cs-exact');
    expect(exact).not.toEqual(inOrder);
    const id = async (who: string) => (await get(h.app, `/v1/profiles/${who}?events=0`)).json().id as string;
    if (kind === 'postgres') {
      expect(await history(h, 'cs-one')).toEqual(exact);
      expect(await history(h, 'cs-user')).toEqual(exact);
      return;
    }
    const reads = countEventReads(h);
    const one = await answer(h, 'cs-one');
    expect(one.raw).toEqual(storedRows(h, await id('cs-one')));
    expect(one.rows).toEqual(inOrder); // the late statement is not in the stored rows
    expect(one.status).toMatchObject({ complete: false, incompleteSince: new Date(late.t).toISOString(), cause: 'late_statement' });
    expect(one.status.note).toContain(`From ${new Date(late.t).toISOString()} on, this history may miss consent changes`);
    expect(one.status.note).toContain('arrived after newer ones');
    const merged = await answer(h, 'cs-user');
    expect(merged.raw).toEqual(storedRows(h, await id('cs-user')));
    expect(merged.status).toMatchObject({ complete: false, incompleteSince: new Date(late.t).toISOString(), cause: 'late_statement' });
    expect(reads.reads).toBe(0);
    // No statement of the profile store scans the event log (ADR 0003: no index by profile or time):
    // each reads it by sequence number, however many events the store holds.
    const db = (h.store as SqliteStore).db;
    const sources = Object.values(((h.store as SqliteStore).profiles as unknown as { s: Record<string, { source: string }> }).s).map((st) => st.source).filter((q) => /\bFROM\s+events\b/i.test(q));
    expect(sources.length).toBeGreaterThan(0);
    for (const q of sources) expect(plan(db, q).filter((d) => /^SCAN events\b/.test(d)), q).toEqual([]);
  });

  it('a merge beyond the 50 newest events says so on SQLite (cause: merge), and is exact on PostgreSQL', async () => {
    const all = statements(60, 35, T0);
    const keys = [...all.keys()];
    await batch(h, { userId: 'cmx-ref' }, 'r', all, keys);
    await batch(h, { anonymousId: 'cmx-anon' }, 'a', all, keys.filter((i) => i % 2 === 1));
    await batch(h, { userId: 'cmx-user' }, 'u', all, keys.filter((i) => i % 2 === 0));
    const r = await send(h.app, '/v1/identify', { userId: 'cmx-user', anonymousId: 'cmx-anon', messageId: 'm-identify-cmx', timestamp: new Date(T0 + 61 * 60_000).toISOString() });
    expect(r.statusCode).toBe(200);
    const expected = await history(h, 'cmx-ref');
    if (kind === 'postgres') {
      expect(await history(h, 'cmx-user')).toEqual(expected);
      return;
    }
    const a = await answer(h, 'cmx-user');
    // The overlap starts at the anonymous profile's first event (statement 1); the 50 newest reach back to statement 10.
    expect(a.status).toMatchObject({ complete: false, incompleteSince: new Date(all[1].t).toISOString(), cause: 'merge' });
    expect(a.status.note).toContain('merged with another');
    expect(a.rows).not.toEqual(expected);
  });
});

/**
 * A mark resolved while it can be: the embedded store rebuilds a marked history from the profile's
 * 50 newest events, and a checkpoint writes the rebuild back while they still cover the mark
 * (ConsentWriteBack) — so 60 more events later the history is still complete and exact. Until
 * 2026-12-06 the mark never cleared, and such a history read incomplete for good.
 */
describe.each(['sqlite', 'postgres'] as StoreKind[])('a consent mark resolved while the events are recent (%s)', (kind) => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness(kind);
  });
  afterEach(async () => h.close());

  /** What the store does every 10 s (SQLite): write the changed states. PostgreSQL writes them with each batch. */
  const checkpoint = async () => {
    if (kind === 'sqlite') await (h.store as SqliteStore).collect.checkpoint();
  };

  it('a login merge followed by 60 more events: the history stays complete and exact', async () => {
    const all = statements(140, 43, T0);
    const keys = [...all.keys()];
    await batch(h, { userId: 'rw-ref' }, 'r', all, keys);
    const visit = keys.filter((i) => i >= 74 && i < 80);
    await batch(h, { userId: 'rw-user' }, 'u', all, keys.filter((i) => i < 74));
    await batch(h, { anonymousId: 'rw-anon' }, 'a', all, shuffled(visit, 13));
    const r = await send(h.app, '/v1/identify', { userId: 'rw-user', anonymousId: 'rw-anon', messageId: 'm-identify-rw', timestamp: new Date(all[79].t + 1).toISOString() });
    expect(r.statusCode).toBe(200);
    await checkpoint();
    await batch(h, { userId: 'rw-user' }, 'u', all, keys.filter((i) => i >= 80));
    const reads = kind === 'sqlite' ? countEventReads(h) : undefined;
    const expected = await history(h, 'rw-ref');
    expect(expected.length).toBeGreaterThan(30);
    expect(await history(h, 'rw-user')).toEqual(expected);
    // Written back: the stored rows are the history, and no event is read to answer it.
    if (reads) expect(reads.reads).toBe(0);
    if (kind === 'sqlite') expect((await answer(h, 'rw-user')).raw).toEqual(storedRows(h, (await get(h.app, '/v1/profiles/rw-user?events=0')).json().id as string));
  });

  /** Statements sent in one batch call with the message ids given (after `prefix-`), in the order given. */
  const sendAll = async (who: Record<string, string>, prefix: string, items: readonly { id: string; s: Statement }[]) => {
    const r = await send(h.app, '/v1/batch', { batch: items.map(({ id, s }) => ({ type: 'track', ...who, event: 'Page Viewed', messageId: `${prefix}-${id}`, timestamp: new Date(s.t).toISOString(), context: { consent: { categoryPreferences: s.prefs } } })) });
    expect(r.statusCode).toBe(200);
  };

  it('a late statement followed by 60 more events: complete and exact, and a later late statement marks it again', async () => {
    const all = statements(100, 45, T0).map((s, i) => ({ id: String(i), s }));
    // The value of each purpose as of statement 20: the late statement (between 20 and 21) flips both.
    const at20 = (p: string) => all.slice(0, 21).reverse().find((x) => p in x.s.prefs)?.s.prefs[p] ?? false;
    const late = { id: 'late', s: { t: all[20].s.t + 30_000, prefs: { Advertising: !at20('Advertising'), Analytics: !at20('Analytics') } } };
    const again = { id: 'again', s: { t: all[89].s.t + 30_000, prefs: { Advertising: !all[89].s.prefs.Advertising, Analytics: !all[89].s.prefs.Analytics } } };
    // The references received every statement in event-time order.
    await sendAll({ userId: 'rl-ref' }, 'r', [...all.slice(0, 21), late, ...all.slice(21)]);
    await sendAll({ userId: 'rl-ref2' }, 'q', [...all.slice(0, 21), late, ...all.slice(21, 90), again, ...all.slice(90)]);
    await sendAll({ userId: 'rl-user' }, 'u', all.slice(0, 40));
    await sendAll({ userId: 'rl-user' }, 'u', [late]);
    await checkpoint();
    await sendAll({ userId: 'rl-user' }, 'u', all.slice(40));
    const expected = await history(h, 'rl-ref');
    expect(expected.map((x) => x.messageId)).toContain('late');
    expect(await history(h, 'rl-user')).toEqual(expected);
    // After the write-back, late again (by 10 events): marked again, rebuilt, and written back again.
    await sendAll({ userId: 'rl-user' }, 'u', [again]);
    const expected2 = await history(h, 'rl-ref2');
    expect(expected2).not.toEqual(expected);
    expect(await history(h, 'rl-user')).toEqual(expected2);
    await checkpoint();
    expect(await history(h, 'rl-user')).toEqual(expected2);
    if (kind === 'sqlite') expect(storedRows(h, (await get(h.app, '/v1/profiles/rl-user?events=0')).json().id as string).map((x) => x.messageId.replace(/^[^-]+-/, ''))).toEqual(expected2.map((x) => x.messageId));
  });

  it('SQLite: a GET during the write-back waits for it, and a late statement folded meanwhile marks the history again (not lost when the write lands)', async () => {
    if (kind !== 'sqlite') return; // PostgreSQL has no checkpoint: its history is rebuilt by index on every read.
    const all = statements(80, 49, T0).map((s, i) => ({ id: String(i), s }));
    const flip = (i: number) => ({ Advertising: !all[i].s.prefs.Advertising, Analytics: !all[i].s.prefs.Analytics });
    const late = { id: 'late', s: { t: all[20].s.t + 30_000, prefs: flip(20) } };
    // Later than the first mark: the mark's time does not move, only a fresh mark keeps it.
    const later = { id: 'later', s: { t: all[30].s.t + 30_000, prefs: flip(30) } };
    await sendAll({ userId: 'rg-ref' }, 'r', [...all.slice(0, 21), late, ...all.slice(21, 31), later, ...all.slice(31)]);
    await sendAll({ userId: 'rg-user' }, 'u', all.slice(0, 40));
    await sendAll({ userId: 'rg-user' }, 'u', [late]);
    const store = h.store as SqliteStore;
    const id = (await get(h.app, '/v1/profiles/rg-user?events=0')).json().id as string;
    // The checkpoint's write is answered only when the test opens the gate (it commits meanwhile).
    const writer = (store.collect as unknown as { writer: { run: (...a: unknown[]) => Promise<void> } }).writer;
    const run = writer.run.bind(writer);
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    writer.run = (...a: unknown[]) => {
      writer.run = run;
      return run(...a).then(() => gate);
    };
    const cp = store.collect.checkpoint(); // the first chunk is handed to the writer now, its mark cleared in memory
    let answered = false;
    const during = store.profiles.consentHistory(id, 50).then((x) => ((answered = true), x));
    await sendAll({ userId: 'rg-user' }, 'u', [later]); // folded while the write-back is unanswered
    try {
      await new Promise((r) => setTimeout(r, 20));
      expect(answered).toBe(false); // it waits: the rows it would read are being replaced
    } finally {
      open();
    }
    await cp;
    expect((await during).incomplete).toBeUndefined();
    // Had the landing write cleared the mark the later statement left as it was, this checkpoint would keep rows without it.
    await store.collect.checkpoint();
    await sendAll({ userId: 'rg-user' }, 'u', all.slice(40));
    expect(await history(h, 'rg-user')).toEqual(await history(h, 'rg-ref'));
  });

  it('a late statement older than the 50 newest events at its arrival stays honestly incomplete after a checkpoint', async () => {
    const all = statements(60, 47, T0);
    await batch(h, { userId: 'ro-user' }, 'u', all, [...all.keys()]);
    const before = (await answer(h, 'ro-user')).rows;
    const late: Statement = { t: T0 - 60_000, prefs: { Advertising: !all[0].prefs.Advertising, Analytics: true } };
    await track(h, { userId: 'ro-user' }, 'u-late', late);
    await checkpoint();
    const a = await answer(h, 'ro-user');
    if (kind === 'postgres') {
      expect(a.status).toEqual({ complete: true });
      expect(a.rows.map((x) => x.messageId)).toContain('late');
      return;
    }
    expect(a.status).toMatchObject({ complete: false, incompleteSince: new Date(late.t).toISOString(), cause: 'late_statement' });
    expect(a.rows).toEqual(before);
  });
});
