import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openTwoStores, type StoreKind } from '../../test/harness.js';
import { Rng } from '../learn/math/prng.js';
import { migratePostgres } from '../store/postgres/database.js';
import { PostgresSegmentStore } from '../store/postgres/segments.js';
import type { PostgresStore } from '../store/postgres/postgres-store.js';
import { type Db, migrate } from '../store/sqlite/database.js';
import { SqliteSegmentStore } from '../store/sqlite/segments.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import type { SegmentCount, SegmentStore, SegmentTransition } from './segment-store.js';

const SEGMENTS = ['buyers', 'lapsed', 'vip'];
const at = 1_764_000_000_000;
const move = (segment: string, profileId: string, kind: 'entry' | 'exit', reason = 'event'): SegmentTransition => ({ segment, profileId, kind, at, seq: 1, version: 1, reason });
const sorted = (c: SegmentCount[]) => c.map((x) => ({ ...x, members: Number(x.members), entries: Number(x.entries), exits: Number(x.exits) })).sort((a, b) => a.segment.localeCompare(b.segment));

/**
 * The reference: what the SegmentStore contract (segment-store.ts) makes of the same calls — an
 * entry of a non-member and an exit of a member are recorded, anything else changes nothing; an
 * erased subject takes its memberships and its recorded entries and exits with it, leaving one exit
 * of reason `erased` where it was. A segment with no member and nothing recorded is not listed.
 */
class Reference {
  private readonly members = new Map<string, Set<string>>();
  private readonly recorded: { segment: string; profileId: string; kind: 'entry' | 'exit'; reason: string }[] = [];

  apply(ts: SegmentTransition[]): void {
    for (const t of ts) {
      const m = this.members.get(t.segment) ?? this.members.set(t.segment, new Set()).get(t.segment)!;
      if (t.kind === 'entry' ? m.has(t.profileId) : !m.has(t.profileId)) continue;
      if (t.kind === 'entry') m.add(t.profileId);
      else m.delete(t.profileId);
      this.recorded.push(t);
    }
  }

  /** Each segment it is in or has events (other than `erased` exits) in gets one exit of reason `erased`; the rest of its history goes. */
  erase(profileId: string): void {
    const left = new Set([...this.memberships(profileId), ...this.recorded.filter((r) => r.profileId === profileId && r.reason !== 'erased').map((r) => r.segment)]);
    for (const m of this.members.values()) m.delete(profileId);
    this.recorded.splice(0, this.recorded.length, ...this.recorded.filter((r) => r.profileId !== profileId || r.reason === 'erased'));
    for (const segment of left) this.recorded.push({ segment, profileId, kind: 'exit', reason: 'erased' });
  }

  memberships(profileId: string): string[] {
    return [...this.members].filter(([, m]) => m.has(profileId)).map(([s]) => s);
  }

  counts(): SegmentCount[] {
    return SEGMENTS.map((segment) => ({
      segment,
      members: this.members.get(segment)?.size ?? 0,
      entries: this.recorded.filter((r) => r.segment === segment && r.kind === 'entry').length,
      exits: this.recorded.filter((r) => r.segment === segment && r.kind === 'exit').length,
    })).filter((c) => c.members || c.entries || c.exits);
  }
}

/** The counts read back the long way: every member (paged) and every recorded entry and exit. */
async function readBack(s: SegmentStore): Promise<SegmentCount[]> {
  const out: SegmentCount[] = [];
  for (const segment of SEGMENTS) {
    let members = 0;
    for (let after = '', page = await s.members(segment, after, 7); page.length; after = page[page.length - 1].profileId, page = await s.members(segment, after, 7)) members += page.length;
    const events = await s.transitions(segment, 100_000);
    const entries = events.filter((e) => e.kind === 'entry').length;
    if (members || events.length) out.push({ segment, members, entries, exits: events.length - entries });
  }
  return out;
}

describe.each<StoreKind>(['sqlite', 'postgres'])('segment member counts (%s)', (kind) => {
  it('answer as the members and the recorded entries and exits add up, through entries, exits, merges and erasures by two processes', async () => {
    const { stores: [a, b], cleanup } = await openTwoStores(kind);
    try {
      const ref = new Reference();
      const rng = new Rng(11);
      const profiles = Array.from({ length: 24 }, (_, i) => `p-${String(i).padStart(2, '0')}`);
      for (let step = 0; step < 160; step++) {
        const store = step % 2 ? a : b;
        const p = profiles[rng.int(profiles.length)];
        const r = rng.int(10);
        if (r < 6) {
          // A batch of entries and exits, some of which change nothing (a member entering again).
          const batch = Array.from({ length: 1 + rng.int(4) }, () => move(SEGMENTS[rng.int(3)], profiles[rng.int(profiles.length)], rng.int(2) ? 'entry' : 'exit'));
          await store.segments.apply(batch);
          ref.apply(batch);
        } else if (r < 8) {
          // p merged into another profile: it leaves its segments (reason `merged`), the survivor enters them.
          const into = profiles[rng.int(profiles.length)];
          const left = ref.memberships(p);
          const batch = [...left.map((s) => move(s, p, 'exit', 'merged')), ...(into === p ? [] : left.map((s) => move(s, into, 'entry')))];
          await store.segments.apply(batch);
          ref.apply(batch);
        } else {
          await store.segments.eraseSubject(p);
          ref.erase(p);
        }
        if (step % 20 === 19) {
          expect(sorted(await a.segments.counts()), `step ${step}`).toEqual(ref.counts());
          expect(sorted(await b.segments.counts()), `step ${step}`).toEqual(ref.counts());
        }
      }
      expect(sorted(await a.segments.counts())).toEqual(sorted(await readBack(a.segments)));
      // Everyone erased: no member and no entry is left, only the exits of reason `erased`.
      for (const p of profiles) {
        await a.segments.eraseSubject(p);
        ref.erase(p);
      }
      expect(sorted(await b.segments.counts())).toEqual(ref.counts());
      expect(ref.counts().every((c) => c.members === 0 && c.entries === 0 && c.exits > 0)).toBe(true);
    } finally {
      await cleanup();
    }
  });

  it('stay exact while both processes enter and exit the same subjects at once', async () => {
    const { stores: [a, b], cleanup } = await openTwoStores(kind);
    try {
      const subjects = Array.from({ length: 8 }, (_, i) => `s-${i}`);
      // Each flip touches two segments: both processes count the same segments' rows at once.
      const flips = (store: Store) => Promise.all(subjects.map(async (p) => {
        for (let i = 0; i < 6; i++) await store.segments.apply(['buyers', 'vip'].map((s) => move(s, p, i % 2 ? 'exit' : 'entry')));
      }));
      await Promise.all([flips(a), flips(b), flips(a)]);
      await a.segments.eraseSubject('s-0');
      expect(sorted(await b.segments.counts())).toEqual(sorted(await readBack(a.segments)));
    } finally {
      await cleanup();
    }
  });

  it('count what a database upgraded to them held (migration learn-005)', async () => {
    const { stores: [a], cleanup } = await openTwoStores(kind);
    try {
      // The database as it was before learn-005: members and events, no counts.
      const undo = 'DROP TABLE segment_counts; DELETE FROM schema_migrations WHERE id = \'learn-005\'';
      if (kind === 'sqlite') (a as SqliteStore).db.exec(`DROP TRIGGER segment_members_counted; DROP TRIGGER segment_members_uncounted; DROP TRIGGER segment_events_counted; DROP TRIGGER segment_events_uncounted; ${undo}`);
      else await (a as PostgresStore).pool.query(undo);
      const writes = [move('buyers', 'p1', 'entry'), move('buyers', 'p2', 'entry'), move('vip', 'p1', 'entry'), move('buyers', 'p1', 'exit')];
      if (kind === 'sqlite') {
        const db = (a as SqliteStore).db;
        for (const w of writes) {
          if (w.kind === 'entry') db.prepare('INSERT INTO segment_members (segment, profile_id, since) VALUES (?, ?, ?)').run(w.segment, w.profileId, w.at);
          else db.prepare('DELETE FROM segment_members WHERE segment = ? AND profile_id = ?').run(w.segment, w.profileId);
          db.prepare('INSERT INTO segment_events (segment, profile_id, kind, at, seq, version, reason) VALUES (?, ?, ?, ?, 1, 1, ?)').run(w.segment, w.profileId, w.kind, w.at, w.reason);
        }
        expect(migrate(db)).toEqual([expect.stringMatching(/^learn-005 /)]);
      } else {
        const pool = (a as PostgresStore).pool;
        for (const w of writes) {
          if (w.kind === 'entry') await pool.query('INSERT INTO segment_members (segment, profile_id, since) VALUES ($1, $2, $3)', [w.segment, w.profileId, w.at]);
          else await pool.query('DELETE FROM segment_members WHERE segment = $1 AND profile_id = $2', [w.segment, w.profileId]);
          await pool.query('INSERT INTO segment_events (segment, profile_id, kind, at, seq, version, reason) VALUES ($1, $2, $3, $4, 1, 1, $5)', [w.segment, w.profileId, w.kind, w.at, w.reason]);
        }
        expect(await migratePostgres(pool)).toEqual([expect.stringMatching(/^learn-005 /)]);
      }
      // Reference: the four writes above, by hand — buyers: p2 in, 2 entries, 1 exit; vip: p1 in, 1 entry.
      expect(sorted(await a.segments.counts())).toEqual([{ segment: 'buyers', members: 1, entries: 2, exits: 1 }, { segment: 'vip', members: 1, entries: 1, exits: 0 }]);
      await a.segments.eraseSubject('p2');
      await a.segments.apply([move('vip', 'p3', 'entry')]);
      expect(sorted(await a.segments.counts())).toEqual(sorted(await readBack(a.segments)));
    } finally {
      await cleanup();
    }
  });

  it('read neither the members nor the recorded entries and exits: their cost does not grow with the profiles', async () => {
    const { stores: [a], cleanup } = await openTwoStores(kind);
    try {
      await a.segments.apply(Array.from({ length: 50 }, (_, i) => move(SEGMENTS[i % 3], `p-${i}`, 'entry')));
      // The tables each query of counts() reads, from the database's own plan of it.
      const tables = kind === 'sqlite' ? await sqlitePlanTables(a as SqliteStore) : await postgresPlanTables(a as PostgresStore);
      expect(tables.length).toBeGreaterThan(0);
      expect(tables.filter((t) => /segment_members|segment_events/.test(t))).toEqual([]);
    } finally {
      await cleanup();
    }
  });
});

/** The SQLite query plan lines of every statement counts() runs (EXPLAIN QUERY PLAN). */
async function sqlitePlanTables(store: SqliteStore): Promise<string[]> {
  const ran: string[] = [];
  const db = new Proxy(store.db, {
    get(target, key) {
      if (key !== 'prepare') return Reflect.get(target, key);
      return (sql: string) => {
        const st = target.prepare(sql);
        // Other methods (pluck, raw) run on the statement itself: better-sqlite3 refuses a proxy as `this`.
        const own = (v: unknown) => (typeof v === 'function' ? v.bind(st) : v);
        return new Proxy(st, { get: (s, k) => (k === 'all' || k === 'get' ? (...args: unknown[]) => (ran.push(sql), (s[k] as (...x: unknown[]) => unknown)(...args)) : own(Reflect.get(s, k))) });
      };
    },
  }) as Db;
  await new SqliteSegmentStore(db, store.writer).counts();
  return ran.flatMap((sql) => (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail));
}

/** The relations in PostgreSQL's plan of every query counts() sends (EXPLAIN, JSON). */
async function postgresPlanTables(store: PostgresStore): Promise<string[]> {
  const ran: { text: string; values?: unknown[] }[] = [];
  const pool = { query: (text: string, values?: unknown[]) => (ran.push({ text, values }), store.pool.query(text, values)) } as unknown as pg.Pool;
  await new PostgresSegmentStore(pool).counts();
  const out: string[] = [];
  const walk = (node: Record<string, unknown>) => {
    if (typeof node['Relation Name'] === 'string') out.push(node['Relation Name']);
    for (const c of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(c);
  };
  for (const q of ran) {
    const plan = (await store.pool.query(`EXPLAIN (FORMAT JSON) ${q.text}`, q.values)).rows[0]['QUERY PLAN'] as { Plan: Record<string, unknown> }[];
    walk(plan[0].Plan);
  }
  return out;
}
