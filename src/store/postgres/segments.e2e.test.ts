import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openTestStore } from '../../../test/harness.js';
import { until } from '../../../test/until.js';
import type { SegmentTransition } from '../../segments/segment-store.js';
import type { Store } from '../store.js';

const t = (profileId: string): SegmentTransition => ({ segment: 'vip', profileId, kind: 'entry', at: 1, seq: 1, version: 1, reason: 'event' });

describe('segment events feed on PostgreSQL: transactions that commit out of order', () => {
  let store: Store | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  let other: pg.Client | undefined;
  afterEach(async () => {
    await other?.end();
    await cleanup?.();
    store = cleanup = other = undefined;
  });

  it('never hands a poller an event before an older-numbered one still being written', async () => {
    let url: string | undefined;
    ({ store, cleanup, url } = await openTestStore('postgres'));
    // Another transaction holds the membership row of `x`: the batch [a, x] records `a`, then waits on `x`.
    other = new pg.Client({ connectionString: url });
    await other.connect();
    await other.query('BEGIN');
    await other.query("INSERT INTO segment_members (segment, profile_id, since) VALUES ('vip', 'x', 1)");
    const slow = store.segments.apply([t('a'), t('x')]);
    const waiting = async () => (await other!.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")).rows[0].n === 1;
    await until(waiting);
    // A later transaction commits first; the poller reads it and moves its cursor past it.
    await store.segments.apply([t('b')]);
    const first = await store.segments.transitionsAfter('vip', 0, 10);
    const after = first.length ? first[first.length - 1].id : 0;
    await other.query('ROLLBACK');
    await slow;
    const second = await store.segments.transitionsAfter('vip', after, 10);
    expect([...first, ...second].map((x) => x.profileId).sort()).toEqual(['a', 'b', 'x']);
  });
});
