import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../../test/harness.js';
import { shopConfig } from '../decide/fixtures.js';
import { Metrics } from './metrics.js';

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

/**
 * The consumer lag is the one family read from the store at each scrape. A scrape while the store
 * cannot be read is when an operator most needs the rest (HTTP 5xx counts, store timings, event
 * loop, memory): until 2026-12-04 the failed read made the whole of GET /metrics a 500.
 */
describe('GET /metrics while the store cannot be read', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite', { config: shopConfig() });
  });
  afterAll(async () => h.close());

  it('answers 200 with every other family, and leaves out the consumer lag it could not read', async () => {
    const ok = await h.app.inject({ url: '/metrics' });
    expect(ok.body).toMatch(/^tact_consumer_lag_events\{consumer="[^"]+"\} \d+$/m);
    const read = h.store.profiles.maxEventSeq;
    h.store.profiles.maxEventSeq = () => Promise.reject(refused());
    try {
      const r = await h.app.inject({ url: '/metrics' });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.body).toMatch(/^tact_process_cpu_seconds_total \S+$/m);
      expect(r.body).toMatch(/^tact_ingest_queue_depth 0$/m);
      // No stale figure passed off as current: the series are gone until the store answers again.
      expect(r.body).not.toMatch(/^tact_consumer_lag_events\{/m);
    } finally {
      h.store.profiles.maxEventSeq = read;
    }
    expect((await h.app.inject({ url: '/metrics' })).body).toMatch(/^tact_consumer_lag_events\{consumer="[^"]+"\} \d+$/m);
  });
});

describe('the consumer lag read', () => {
  it('is given up after a bounded wait, so a store that does not answer does not hold the scrape past its timeout', async () => {
    const m = new Metrics({ consumerLag: () => new Promise(() => {}) }, { lagTimeoutMs: 50 });
    const started = Date.now();
    const text = await m.registry.metrics();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(text).toMatch(/^tact_process_cpu_seconds_total \S+$/m);
    expect(text).not.toMatch(/^tact_consumer_lag_events\{/m);
  });
});
