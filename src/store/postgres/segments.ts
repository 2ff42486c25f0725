import type pg from 'pg';
import type { Membership, SegmentCount, SegmentStore, SegmentTransition } from '../../segments/segment-store.js';
import { inTransaction } from './database.js';

const M_COLS = 'segment, profile_id AS "profileId", since';
const T_COLS = 'segment, profile_id AS "profileId", kind, at, seq, version, reason';

/**
 * Segment membership on PostgreSQL.
 *
 * @example
 * const s = new PostgresSegmentStore(pool); // the store's `segments`
 */
export class PostgresSegmentStore implements SegmentStore {
  constructor(private readonly pool: pg.Pool) {}

  async membershipsOf(profileId: string): Promise<Membership[]> {
    return (await this.pool.query<Membership>(`SELECT ${M_COLS} FROM segment_members WHERE profile_id = $1 ORDER BY segment`, [profileId])).rows;
  }

  async apply(transitions: SegmentTransition[]): Promise<void> {
    if (!transitions.length) return;
    await inTransaction(this.pool, async (c) => {
      for (const t of transitions) {
        // The transition is recorded only when the membership row really changed.
        const change = t.kind === 'entry'
          ? 'INSERT INTO segment_members (segment, profile_id, since) VALUES ($1::text, $2::text, $4::bigint) ON CONFLICT DO NOTHING RETURNING 1'
          : 'DELETE FROM segment_members WHERE segment = $1::text AND profile_id = $2::text AND $4::bigint IS NOT NULL RETURNING 1';
        await c.query(
          `WITH changed AS (${change})
           INSERT INTO segment_events (segment, profile_id, kind, at, seq, version, reason) SELECT $1::text, $2::text, $3::text, $4::bigint, $5::bigint, $6::int, $7::text WHERE EXISTS (SELECT 1 FROM changed)`,
          [t.segment, t.profileId, t.kind, t.at, t.seq, t.version, t.reason],
        );
      }
    });
  }

  async counts(): Promise<SegmentCount[]> {
    const r = await this.pool.query<SegmentCount>(`
      SELECT segment, sum(members)::bigint AS members, sum(entries)::bigint AS entries, sum(exits)::bigint AS exits FROM (
        SELECT segment, count(*) AS members, 0 AS entries, 0 AS exits FROM segment_members GROUP BY segment
        UNION ALL
        SELECT segment, 0, count(*) FILTER (WHERE kind = 'entry'), count(*) FILTER (WHERE kind = 'exit') FROM segment_events GROUP BY segment
      ) x GROUP BY segment`);
    return r.rows;
  }

  async members(segment: string, afterProfileId: string, limit: number): Promise<Membership[]> {
    return (await this.pool.query<Membership>(`SELECT ${M_COLS} FROM segment_members WHERE segment = $1 AND profile_id > $2 ORDER BY profile_id LIMIT $3`, [segment, afterProfileId, limit])).rows;
  }

  async transitions(segment: string, limit: number): Promise<SegmentTransition[]> {
    return (await this.pool.query<SegmentTransition>(`SELECT ${T_COLS} FROM segment_events WHERE segment = $1 ORDER BY id DESC LIMIT $2`, [segment, limit])).rows;
  }

  async eraseSubject(profileId: string): Promise<void> {
    await inTransaction(this.pool, async (c) => {
      await c.query('DELETE FROM segment_members WHERE profile_id = $1', [profileId]);
      await c.query('DELETE FROM segment_events WHERE profile_id = $1', [profileId]);
    });
  }
}
