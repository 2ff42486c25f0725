import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../../test/harness.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { buildApp } from './app.js';
import { HEALTH_TIMEOUT_MS, outageLog } from './health.js';
import { Tact } from './tact.js';

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

describe('what failing health checks log (outageLog)', () => {
  it('tells the first failure, then a reminder every 30 s, then the recovery with the outage counted', () => {
    const o = outageLog(30_000);
    expect(o.passed(0)).toBeUndefined();
    expect(o.failed(1_000)).toBe('first');
    for (let t = 2_000; t < 31_000; t += 1_000) expect(o.failed(t)).toBe('quiet');
    expect(o.failed(31_000)).toBe('remind');
    expect(o.failed(32_000)).toBe('quiet');
    expect(o.passed(33_000)).toEqual({ ms: 32_000, failures: 32 });
    expect(o.passed(34_000)).toBeUndefined();
    expect(o.failed(35_000)).toBe('first'); // a new outage is told again
  });

  it('writes one error with its cause for a probe polling through an outage, not one a poll, and an info line when it ends', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk)) as Record<string, unknown>); done(); } });
    const store = await openSqliteStore({ path: ':memory:' });
    const tact = await Tact.create({ store, logger: pino({ level: 'info' }, sink), background: false });
    const app = await buildApp(tact, {});
    const ping = store.ping.bind(store);
    store.ping = async () => { throw new Error('connect ECONNREFUSED 10.0.0.5:5432'); };
    for (let i = 0; i < 20; i++) expect((await app.inject({ url: '/health' })).statusCode).toBe(503);
    store.ping = ping;
    expect((await app.inject({ url: '/health' })).statusCode).toBe(200);
    await app.close();
    await tact.close();
    await store.close();
    const health = lines.filter((l) => String(l.msg).startsWith('health check'));
    expect(health.map((l) => [l.level, l.msg])).toEqual([[50, 'health check: the store did not answer'], [30, 'health check: the store answers again']]);
    expect(health[0]).toMatchObject({ err: { message: 'connect ECONNREFUSED 10.0.0.5:5432' } });
    expect(health[1]).toMatchObject({ failedChecks: 20, outageMs: expect.any(Number) });
  });
});
