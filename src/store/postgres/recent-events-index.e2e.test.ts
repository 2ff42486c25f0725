import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { freshPostgresDatabase } from '../../../test/postgres.js';
import { openPostgresStore } from './postgres-store.js';

/** Every node of an EXPLAIN (FORMAT JSON) plan, depth first. */
const nodes = (plan: Record<string, unknown>): Record<string, unknown>[] =>
  [plan, ...((plan.Plans as Record<string, unknown>[] | undefined) ?? []).flatMap(nodes)];

describe('PostgreSQL: a profile\'s recent events', () => {
  it('are read newest first from an index on (profile_id, ts, seq), not by sorting every event of the profile', async () => {
    const db = await freshPostgresDatabase();
    const store = await openPostgresStore({ connectionString: db.url, poolSize: 2 });
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      // 3,000 events of one profile and 3,000 of others, arriving out of event-time order.
      await pool.query(`INSERT INTO events (message_id, profile_id, type, event, ts, received_at, body)
        SELECT 'm' || g, CASE WHEN g % 2 = 0 THEN 'p-big' ELSE 'p-' || g END, 'track', 'Viewed', (g * 7919) % 6000, g, '{}' FROM generate_series(1, 6000) g`);
      await pool.query('ANALYZE events');
      const client = await pool.connect();
      try {
        await client.query('SET enable_seqscan = off'); // a table this small would be scanned whole either way
        const plan = (await client.query(`EXPLAIN (FORMAT JSON)
          SELECT seq FROM events WHERE profile_id = 'p-big' ORDER BY ts DESC, seq DESC LIMIT 20`)).rows[0]['QUERY PLAN'][0].Plan;
        const all = nodes(plan);
        expect(all.map((n) => n['Node Type'])).not.toContain('Sort');
        expect(all.some((n) => n['Index Name'] === 'events_profile_time')).toBe(true);
      } finally {
        client.release();
      }
      // And the store's answer is the 20 newest by event time, ties by arrival.
      const recent = await store.profiles.recentEvents('p-big', 20);
      const expected = (await pool.query(`SELECT seq, ts FROM events WHERE profile_id = 'p-big' ORDER BY ts DESC, seq DESC LIMIT 20`)).rows;
      expect(recent.map((e) => [Number(e.seq), Number(e.timestamp)])).toEqual(expected.map((r) => [Number(r.seq), Number(r.ts)]));
    } finally {
      await pool.end();
      await store.close();
      await db.drop();
    }
  });
});
