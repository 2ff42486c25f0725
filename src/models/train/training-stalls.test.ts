import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { longestStall } from '../../../test/event-loop.js';
import { harness, send, type Harness } from '../../../test/harness.js';
import { logDecisions } from '../uplift/fixtures.js';
import { Rng } from '../../learn/math/prng.js';

/**
 * QA 2026-12-06 (/tmp/qa/qa-stalls): training any model held the server's event loop for the whole
 * training — every request waited 6–20 s — and the segment sweep held it 2–5 s a run: the SQLite
 * store reads synchronously underneath, the shared loops never yielded, and the fits ran on the
 * server's thread. Here each is run on a store big enough that it takes about a second or more on
 * a CI machine, while a timer every 5 ms records the longest gap between its ticks (the longest a
 * request would have waited): it must be a small share of the run.
 */
const SUBJECTS = 6000;
/**
 * The longest gap allowed: 35% of the run, or 250 ms for a run shorter than ≈ 700 ms. Before
 * 2026-12-06 the gap was the whole run (1.5–5 s here on a loaded 2-core machine). With the loops
 * sliced and the fits off-thread it was 2–27% (the uplift comparison's held-out pass, 450–1,300 ms
 * of a second training; single synchronous reads of the SQLite store, 100–460 ms). With those
 * paged and the comparison in a worker thread too (later on 2026-12-06) it was, on a 2-core
 * machine at a load of 6–14: rates 2–5%, micro-segments and send time mostly under 8%, uplift
 * 6–18% (left: the decision log's outcomes and subjects, read at the end of its pass) — and up to
 * 19% for any of them when the loaded machine left the process unscheduled for a while. With the
 * subjects' reads sliced and the fit's rows sent in slices (2026-12-06), uplift was 2–6% (135–184
 * ms; 1.1–1.4 s before at a load of 14, the rows' one-piece clone 2.3 s once). A share,
 * not a fixed figure, so that a CI machine slowed as a whole does not fail it while a loop held
 * for the whole run still does; the floor is for the short runs (baselines: 100–500 ms), where
 * such a pause (100–200 ms, no sample of any code in it) came within 2 ms of the earlier 150.
 */
const allowed = (took: number) => Math.max(0.35 * took, 250);
const DAY = 86_400_000;
const NOW = Date.now();
const config = {
  features: [
    { name: 'orders', kind: 'count', event: 'Order Completed' },
    { name: 'revenue', kind: 'sum', event: 'Order Completed', property: 'revenue' },
    { name: 'views_7d', kind: 'decayed_count', event: 'Product Viewed', halfLife: '7d' },
  ],
  metrics: [{ name: 'session_length', event: 'Session Ended', property: 'duration' }],
  sendTime: { engagement: [{ event: 'Email Opened' }], minEvents: 3 },
  rates: [{ name: 'email_open', exposure: 'Email Delivered', success: 'Email Opened', within: '3d' }],
  segments: {
    audiences: [{ name: 'big_spenders', when: 'features.revenue >= 150.0' }, { name: 'ms_one', when: 'microSegment == 1' }],
    microSegments: { features: ['orders', 'revenue', 'views_7d'], k: 8 },
  },
  catalog: {
    actions: [{ id: 'shoes-offer', name: 'Shoes', channels: ['web'], value: 60 }],
    placements: [{ id: 'home', channel: 'web', slots: 1, safeDefault: 'none' }],
  },
  policy: { outcomes: { events: { 'Order Completed': { type: 'conversion', value: 'revenue' } }, attribution: { window: '1h', model: 'last' } } },
};

/** A deterministic stream in [0, 1) (the project's seeded generator). */
function rng(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.float();
}

/** One subject's messages: a zone, views, orders, e-mails delivered and opened at its own hours, sessions. */
function subjectMessages(i: number, r: () => number): object[] {
  const userId = `u-${i}`;
  const at = (daysAgo: number) => new Date(NOW - daysAgo * DAY).toISOString();
  const out: object[] = [{ type: 'identify', userId, traits: { plan: 'free' }, context: { timezone: i % 3 ? 'Europe/London' : 'America/New_York' } }];
  for (let v = 0; v < 2; v++) out.push({ type: 'track', userId, event: 'Product Viewed', timestamp: at(1 + r() * 20), properties: { product_id: `sku-${Math.floor(r() * 50)}` } });
  if (r() < 0.5) out.push({ type: 'track', userId, event: 'Order Completed', timestamp: at(1 + r() * 20), properties: { revenue: Math.round(r() * 300) } });
  const hour = Math.floor(r() * 24);
  for (let e = 0; e < 4; e++) {
    const sent = NOW - (5 + e * 4) * DAY + hour * 3_600_000;
    out.push({ type: 'track', userId, event: 'Email Delivered', timestamp: new Date(sent).toISOString() });
    if (r() < 0.5) out.push({ type: 'track', userId, event: 'Email Opened', timestamp: new Date(sent + 3_600_000).toISOString() });
  }
  for (let k = 0; k < 4; k++) out.push({ type: 'track', userId, event: 'Session Ended', timestamp: at(1 + r() * 10), properties: { duration: Math.round(60 + r() * 600) } });
  return out;
}

describe('training and the segment sweep leave the event loop free (QA 2026-12-06)', () => {
  let h: Harness;
  const seen: Record<string, { stall: number; took: number }> = {};
  beforeAll(async () => {
    h = await harness('sqlite', { config });
    const r = rng(7);
    let batch: object[] = [];
    for (let i = 0; i < SUBJECTS; i++) {
      batch.push(...subjectMessages(i, r));
      if (batch.length >= 1000 || i === SUBJECTS - 1) {
        const res = await send(h.app, '/v1/batch', { batch });
        if (res.statusCode !== 200) throw new Error(res.body);
        batch = [];
      }
    }
    await h.tact.consumers.runAll();
    // Past decisions for uplift learning (the log it reads, each body decoded as it is read).
    await logDecisions(h, { first: 0, n: 20_000, at: NOW - 30 * DAY, delay: 60_000 });
  }, 300_000);
  afterAll(async () => {
    console.log('longest stall / training (ms):', JSON.stringify(seen));
    await h?.close();
  });

  /**
   * The longest stall while `run` runs, checked against the allowance. A run whose stall is over it
   * is measured again, up to twice: in one CI run (2026-12-07, four test files at a time on two
   * cores) a baselines training that takes 120–150 ms alone took 941 ms with one gap of 404 ms — the
   * process paused (a collection of a heap grown over its worker's earlier files, or the host not
   * scheduling it), which does not come back at the next run, where a loop held for the whole run
   * does, every time.
   */
  async function leavesLoopFree<T>(label: string, run: () => Promise<T>, check: (result: T) => void): Promise<void> {
    let best = { stall: Infinity, took: 0 };
    for (let attempt = 1; attempt <= 3 && !(best.stall < allowed(best.took)); attempt++) {
      const { stall, took, result } = await longestStall(run);
      seen[attempt > 1 ? `${label}, again (${attempt})` : label] = { stall: Math.round(stall), took: Math.round(took) };
      check(result);
      if (stall / allowed(took) < best.stall / allowed(best.took)) best = { stall, took };
    }
    expect(best.stall, `${label}: ${Math.round(best.stall)} of ${Math.round(best.took)} ms`).toBeLessThan(allowed(best.took));
  }

  /** Trains `model` twice (the second is compared with the first, now live), each leaving the loop free. */
  const trainsFreely = (model: string) => async () => {
    for (const round of [1, 2]) {
      await leavesLoopFree(`${model}#${round}`, () => h.tact.learning.train([model], 'cli'), (result) => {
        expect(result[0]).toMatchObject({ model });
        expect(result[0]).not.toHaveProperty('error');
      });
    }
  };

  it('micro-segments', trainsFreely('micro-segments'), 180_000);
  it('send-time', trainsFreely('send-time'), 180_000);
  it('rates', trainsFreely('rates'), 180_000);
  it('baselines', trainsFreely('baselines'), 180_000);
  it('uplift', trainsFreely('uplift'), 180_000);

  it('the segment sweep', async () => {
    await leavesLoopFree('the sweep', () => h.tact.learning.membership.sweep(), (result) => expect(result.subjects).toBe(SUBJECTS));
  }, 180_000);
});
