import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, harness, metricValue, send, type Harness } from '../../test/harness.js';
import { shopConfig } from '../decide/fixtures.js';
import { advertising, decideReq } from '../decide/test-http.js';

describe('GET /metrics', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite');
  });
  afterAll(async () => h.close());

  it('counts requests, ingested messages by outcome and commit sizes, in the Prometheus format', async () => {
    await send(h.app, '/v1/batch', { batch: [
      { type: 'track', messageId: 'm-1', userId: 'u', event: 'A' },
      { type: 'track', messageId: 'm-1', userId: 'u', event: 'A' },
      { type: 'track', userId: 'u' },
    ] });
    await send(h.app, '/v1/track', { messageId: 'm-2', userId: 'u', event: 'B' });
    const r = await h.app.inject({ url: '/metrics' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('text/plain');
    const text = r.body;
    expect(text).toMatch(/tact_ingested_messages_total\{outcome="stored"\} 2/);
    expect(text).toMatch(/tact_ingested_messages_total\{outcome="duplicate"\} 1/);
    expect(text).toMatch(/tact_ingested_messages_total\{outcome="rejected"\} 1/);
    expect(text).toMatch(/tact_http_requests_total\{method="POST",route="\/v1\/batch",status="200"\} 1/);
    expect(text).toMatch(/tact_ingest_commit_messages_count 2/);
    expect(text).toMatch(/tact_ingest_queue_depth 0/);
    expect(text).toMatch(/tact_process_cpu_seconds_total/);
  });

  it('keeps the outcome-type label bounded: types past the first 50 are counted as `other`', async () => {
    for (let i = 0; i < 60; i++) {
      const r = await h.app.inject({ method: 'POST', url: '/v1/outcomes', headers: { authorization: bearer() }, payload: { type: `order-${i}`, subject: 'u', messageId: `o-${i}` } });
      expect(r.statusCode, r.body).toBe(200);
    }
    const text = (await h.app.inject({ url: '/metrics' })).body;
    const series = text.split('\n').filter((l) => l.startsWith('tact_outcomes_total{'));
    expect(series.length).toBeLessThanOrEqual(51);
    expect(text).toMatch(/tact_outcomes_total\{type="order-0"\} 1/);
    expect(text).toMatch(/tact_outcomes_total\{type="other"\} 10/);
  });

  it('tells how much the decision state holds in memory', async () => {
    const d = await harness('sqlite', { config: shopConfig({ contact: { caps: [{ name: 'email cap', channel: 'email', max: 2, window: '7d' }] } }) });
    try {
      const gauge = (name: string) => metricValue(d.app, name);
      expect(await gauge('tact_decide_contacts_held')).toBe(0);
      await send(d.app, '/v1/identify', { userId: 'ana', context: advertising });
      await decideReq(d.app, { subject: 'ana', placement: 'weekly-email' });
      await decideReq(d.app, { subject: 'ana', placement: 'home' });
      expect([await gauge('tact_decide_subjects_held'), await gauge('tact_decide_contacts_held')]).toEqual([1, 2]);
      expect(d.tact.decide.state.ledger.writesInFlight).toBe(0); // each decision's hold released once logged
      // Ten minutes on, the e-mail cap still counts its contact; no cap counts the web one.
      d.tact.decide.state.prune(Date.now() + 10 * 60_000);
      expect(await gauge('tact_decide_contacts_held')).toBe(1);
      expect(await gauge('tact_decide_successes_held')).toBe(0);
    } finally {
      await d.close();
    }
  });
});
