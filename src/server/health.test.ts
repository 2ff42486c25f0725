import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../../test/harness.js';
import { HEALTH_TIMEOUT_MS } from './health.js';

describe('GET /health when the store does not answer', () => {
  let h: Harness;
  let ping: () => Promise<void>;
  beforeAll(async () => {
    h = await harness('sqlite');
    ping = h.store.ping.bind(h.store);
  });
  afterAll(async () => {
    h.store.ping = ping;
    await h.close();
  });

  it('answers 503 with a sentence, without a key, when the store refuses the ping', async () => {
    h.store.ping = async () => { throw new Error('connect ECONNREFUSED 10.0.0.5:5432'); };
    const r = await h.app.inject({ url: '/health' });
    expect(r.statusCode).toBe(503);
    expect(r.json()).toMatchObject({ status: 'store unreachable', store: 'sqlite', message: expect.stringMatching(/^The sqlite store did not answer.*\.$/) });
    expect(r.body).not.toContain('10.0.0.5'); // the store's address stays in the log
  });

  it('answers 503 within its time limit when the store hangs, instead of hanging too', async () => {
    h.store.ping = () => new Promise<void>(() => {});
    const started = Date.now();
    const r = await h.app.inject({ url: '/health' });
    expect(r.statusCode).toBe(503);
    expect(r.json().message).toContain(`${HEALTH_TIMEOUT_MS / 1000} s`);
    expect(Date.now() - started).toBeLessThan(HEALTH_TIMEOUT_MS + 1_000);
  });

  it('answers 200 again once the store answers', async () => {
    h.store.ping = ping;
    expect((await h.app.inject({ url: '/health' })).json()).toMatchObject({ status: 'ok' });
  });
});
