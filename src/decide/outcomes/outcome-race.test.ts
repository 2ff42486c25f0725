import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, twoHarnesses, type Harness } from '../../../test/harness.js';
import { post } from '../test-http.js';

/**
 * QA, 2026-12-05: the same outcome (one messageId — a client's retry through a load balancer) sent
 * to two servers on one PostgreSQL at the same moment. Both read "not logged yet"; the log kept
 * one row, but the process whose insert lost answered `duplicate: false`, applied its own copy
 * and marked the id seen — and when its copy was a not-a-success (it had seen the other's success
 * first), its sync skipped the row holding the success: its estimates stayed a success short until
 * a restart. Now the store says which records it already held, and that outcome is a duplicate.
 */
const config = {
  catalog: {
    actions: [{ id: 'shoes-offer', name: 'Running shoes offer', channels: ['web'], value: 60 }],
    placements: [{ id: 'home', channel: 'web' }],
  },
  policy: { exploration: { budget: 0 } },
};

describe('one outcome sent to two processes at once (PostgreSQL)', () => {
  let a: Harness;
  let b: Harness;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ a, b, close } = await twoHarnesses('postgres', { config }));
  });
  afterAll(async () => close());

  it('is recorded once, answered a duplicate by one of them, and counted once by each', async () => {
    const n = 12;
    const decisions: string[] = [];
    for (let i = 0; i < n; i++) {
      await send(a.app, '/v1/identify', { userId: `race-${i}` });
      const d = await post(a.app, '/v1/decide', { subject: `race-${i}`, placement: 'home' });
      expect(d.statusCode, d.body).toBe(200);
      decisions.push(d.json().decisionId);
    }
    await b.tact.decide.sync();
    let duplicates = 0;
    for (let i = 0; i < n; i++) {
      const body = { decisionId: decisions[i], type: 'conversion', value: 10, messageId: `race-conv-${i}` };
      const [ra, rb] = await Promise.all([post(a.app, '/v1/outcomes', body), post(b.app, '/v1/outcomes', body)]);
      expect(ra.statusCode, ra.body).toBe(200);
      expect(rb.statusCode, rb.body).toBe(200);
      const answers = [ra.json(), rb.json()] as { duplicate: boolean; recorded: { success: boolean }[] }[];
      duplicates += answers.filter((x) => x.duplicate).length;
      // Whoever won, both answers show the one success the log holds.
      for (const x of answers) expect(x.recorded.map((r) => r.success)).toEqual([true]);
    }
    // Each outcome but the ones one process saw logged before it began is answered a duplicate once.
    expect(duplicates).toBeGreaterThan(0);
    await a.tact.decide.sync();
    await b.tact.decide.sync();
    const logged = await a.store.decisions.outcomesSince(0);
    expect(logged.filter((o) => o.success)).toHaveLength(n);
    expect(logged).toHaveLength(n);
    expect(a.tact.decide.state.counts.population('shoes-offer')).toMatchObject({ successes: n, trials: n });
    expect(b.tact.decide.state.counts.population('shoes-offer')).toMatchObject({ successes: n, trials: n });
  });
});
