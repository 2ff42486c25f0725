import type pg from 'pg';
import type { Membership, RecordedTransition, SegmentCount, SegmentStore, SegmentTransition } from '../../segments/segment-store.js';
import { inTransaction } from './database.js';

const M_COLS = 'segment, profile_id AS "profileId", since';
const T_COLS = 'id, segment, profile_id AS "profileId", kind, at, seq, version, reason';
/** One transaction at a time records segment events and changes the counts (apply, eraseSubject), from taking the lock to COMMIT. */
const EVENTS_LOCK = 7263520;

/** The one order member rows are locked in: by segment, then subject, code point by code point (PostgreSQL's COLLATE "C"). */
function rowOrder(x: SegmentTransition, y: SegmentTransition): number {
  return Buffer.compare(Buffer.from(x.segment), Buffer.from(y.segment)) || Buffer.compare(Buffer.from(x.profileId), Buffer.from(y.profileId));
}

/**
 * Segment membership on PostgreSQL. Events are recorded under a transaction-scoped advisory lock,
 * so their ids (the events feed's cursor) commit in order across processes; the member counts
 * (segment_counts) change under the same lock, so counts() reads one row per segment.
 *
 * @example
 * const s = new PostgresSegmentStore(pool); // the store's `segments`
 */
export class PostgresSegmentStore implements SegmentStore {
  constructor(private readonly pool: pg.Pool) {}

  async membershipsOf(profileId: string): Promise<Membership[]> {
    return (await this.pool.query<Membership>(`SELECT ${M_COLS} FROM segment_members WHERE profile_id = $1 ORDER BY segment`, [profileId])).rows;
  }

  async apply(transitions: SegmentTransition[], epoch?: number): Promise<boolean> {
    if (!transitions.length) return epoch === undefined || (await this.pool.query<{ epoch: number }>('SELECT epoch FROM config_epoch WHERE id = 1')).rows[0].epoch === epoch;
    return inTransaction(this.pool, async (c) => {
      // Under `epoch`: the epoch row read FOR SHARE, as a batch of events does, so a configuration
      // change (which updates it first) commits before this transaction reads it or after it ends.
      if (epoch !== undefined && (await c.query<{ epoch: number }>('SELECT epoch FROM config_epoch WHERE id = 1 FOR SHARE')).rows[0].epoch !== epoch) return false;
      // Member rows are written in one order, whatever the batch's (eraseSubject keeps it too): two
      // batches naming the same rows in opposite orders each held a row the other waited on, and
      // PostgreSQL ended one with a deadlock (40P01). Stable: a batch naming one row twice keeps
      // its order. No other row's change depends on a row's, so the outcome is the batch's.
      const order = transitions.map((_, i) => i).sort((i, j) => rowOrder(transitions[i], transitions[j]) || i - j);
      const made = new Array<boolean>(transitions.length).fill(false);
      for (const i of order) {
        const t = transitions[i];
        const r = t.kind === 'entry'
          ? await c.query('INSERT INTO segment_members (segment, profile_id, since) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [t.segment, t.profileId, t.at])
          : await c.query('DELETE FROM segment_members WHERE segment = $1 AND profile_id = $2', [t.segment, t.profileId]);
        made[i] = Boolean(r.rowCount);
      }
      // Only what really changed membership is recorded, in the order the batch names it (as on SQLite).
      const changed = transitions.filter((_, i) => made[i]);
      if (!changed.length) return true;
      // Ids are drawn under the lock and it is held until COMMIT, so transactions commit their
      // events in id order and the feed never sees a larger id before a smaller one. Taken after
      // the membership changes: a wait on a member's row never holds up the other writers.
      await c.query('SELECT pg_advisory_xact_lock($1)', [EVENTS_LOCK]);
      const col = <K extends keyof SegmentTransition>(k: K) => changed.map((t) => t[k]);
      await c.query(
        `INSERT INTO segment_events (segment, profile_id, kind, at, seq, version, reason)
         SELECT segment, profile_id, kind, at, seq, version, reason
         FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::int[], $7::text[]) WITH ORDINALITY AS x (segment, profile_id, kind, at, seq, version, reason, n)
         ORDER BY n`,
        [col('segment'), col('profileId'), col('kind'), col('at'), col('seq'), col('version'), col('reason')],
      );
      // Every change of membership recorded is counted, under the same lock (one writer of the counts at a time).
      await c.query(
        `INSERT INTO segment_counts (segment, members, entries, exits)
         SELECT segment, sum(CASE WHEN kind = 'entry' THEN 1 ELSE -1 END), count(*) FILTER (WHERE kind = 'entry'), count(*) FILTER (WHERE kind = 'exit')
         FROM unnest($1::text[], $2::text[]) AS x (segment, kind) GROUP BY segment ORDER BY segment
         ON CONFLICT (segment) DO UPDATE SET members = segment_counts.members + EXCLUDED.members, entries = segment_counts.entries + EXCLUDED.entries, exits = segment_counts.exits + EXCLUDED.exits`,
        [col('segment'), col('kind')],
      );
      return true;
    });
  }

  async counts(): Promise<SegmentCount[]> {
    // Kept by apply and eraseSubject (learn-005): one row per segment, none per member.
    const r = await this.pool.query<SegmentCount>('SELECT segment, members, entries, exits FROM segment_counts WHERE members <> 0 OR entries <> 0 OR exits <> 0');
    return r.rows;
  }

  async members(segment: string, afterProfileId: string, limit: number): Promise<Membership[]> {
    return (await this.pool.query<Membership>(`SELECT ${M_COLS} FROM segment_members WHERE segment = $1 AND profile_id > $2 ORDER BY profile_id LIMIT $3`, [segment, afterProfileId, limit])).rows;
  }

  async transitions(segment: string, limit: number): Promise<RecordedTransition[]> {
    return (await this.pool.query<RecordedTransition>(`SELECT ${T_COLS} FROM segment_events WHERE segment = $1 ORDER BY id DESC LIMIT $2`, [segment, limit])).rows;
  }

  async transitionsAfter(segment: string, afterId: number, limit: number): Promise<RecordedTransition[]> {
    return (await this.pool.query<RecordedTransition>(`SELECT ${T_COLS} FROM segment_events WHERE segment = $1 AND id > $2 ORDER BY id LIMIT $3`, [segment, afterId, limit])).rows;
  }

  async eraseSubject(profileId: string, at = Date.now()): Promise<void> {
    await inTransaction(this.pool, async (c) => {
      // The subject's rows are locked in apply's order (segment by code point, as COLLATE "C"), then
      // its events by id, before any is deleted: a DELETE alone takes them in the order it finds them.
      const left = await c.query<{ segment: string }>(
        `WITH locked AS MATERIALIZED (SELECT segment FROM segment_members WHERE profile_id = $1 ORDER BY segment COLLATE "C" FOR UPDATE)
         DELETE FROM segment_members AS m USING locked WHERE m.profile_id = $1 AND m.segment = locked.segment RETURNING m.segment`,
        [profileId],
      );
      // Exits of reason `erased` (an earlier erasure's) are kept: they name nothing but the profile id.
      const events = await c.query<{ id: string; segment: string; kind: string; version: number }>(
        `WITH locked AS MATERIALIZED (SELECT id FROM segment_events WHERE profile_id = $1 AND reason <> 'erased' ORDER BY id FOR UPDATE)
         DELETE FROM segment_events AS e USING locked WHERE e.id = locked.id RETURNING e.id, e.segment, e.kind, e.version`,
        [profileId],
      );
      if (!left.rowCount && !events.rowCount) return;
      // What the subject counted for goes with it; each segment it was in or has events in gets one
      // exit of reason `erased`, with the segments version of its last event there (segment-store.ts).
      const by = new Map<string, { members: number; entries: number; exits: number; last: bigint; version: number }>();
      const of = (s: string) => by.get(s) ?? by.set(s, { members: 0, entries: 0, exits: -1, last: -1n, version: 0 }).get(s)!;
      for (const r of left.rows) of(r.segment).members += 1;
      for (const r of events.rows) {
        const d = of(r.segment);
        d[r.kind === 'entry' ? 'entries' : 'exits'] += 1;
        if (BigInt(r.id) > d.last) Object.assign(d, { last: BigInt(r.id), version: r.version });
      }
      const list = [...by].sort(([x], [y]) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
      await c.query('SELECT pg_advisory_xact_lock($1)', [EVENTS_LOCK]);
      await c.query(
        `INSERT INTO segment_events (segment, profile_id, kind, at, seq, version, reason)
         SELECT segment, $2, 'exit', $3, 0, version, 'erased' FROM unnest($1::text[], $4::int[]) WITH ORDINALITY AS x (segment, version, n) ORDER BY n`,
        [list.map(([seg]) => seg), profileId, at, list.map(([, d]) => d.version)],
      );
      // Under the lock every writer of the counts takes; `exits` is net of the one just recorded.
      await c.query(
        `UPDATE segment_counts AS c SET members = c.members - x.members, entries = c.entries - x.entries, exits = c.exits - x.exits
         FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[]) AS x (segment, members, entries, exits) WHERE c.segment = x.segment`,
        [list.map(([seg]) => seg), list.map(([, d]) => d.members), list.map(([, d]) => d.entries), list.map(([, d]) => d.exits)],
      );
    });
  }
}
