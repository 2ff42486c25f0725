import { afterEach, describe, expect, it } from 'vitest';
import { bearer, harness, KEYS, type Harness } from '../../../test/harness.js';
import { type Trainer, trainModels } from '../train/trainer.js';

const train = (h: Harness, query = '') => h.app.inject({ method: 'POST', url: `/v1/models/send-time/train${query}`, headers: { authorization: bearer(KEYS.admin) } });

describe.each(['sqlite', 'postgres'] as const)('POST /v1/models/{name}/train while the model is being trained (%s)', (kind) => {
  let h: Harness;
  afterEach(async () => h?.close());

  it('waits at most `wait` seconds for another process, then answers 409 naming who trains it since when', async () => {
    h = await harness(kind);
    const since = Date.parse('2026-01-05T02:00:00.000Z');
    // Another process (sharing the store) holds the lease for the next hour.
    await h.store.models.takeTraining({ name: 'send-time', token: 'other', holder: 'process 1 on web-2', actor: 'schedule', since, until: Date.now() + 3_600_000 });
    const started = Date.now();
    const res = await train(h, '?wait=1');
    const waited = Date.now() - started;
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: 'conflict', message: expect.stringMatching(/^send-time is being trained by process 1 on web-2 \(for schedule\) since 2026-01-05T02:00:00\.000Z, still after 1 s of waiting: nothing was trained\. Ask again once that training is over/) });
    expect(waited).toBeGreaterThanOrEqual(1000);
    expect(waited).toBeLessThan(5000);
    expect((await train(h, '?wait=0')).statusCode).toBe(409);
    // Once that process released it, the request trains.
    await h.store.models.releaseTraining('send-time', 'other');
    const done = await train(h, '?wait=0');
    expect(done.statusCode).toBe(200);
    expect(done.json().results[0].model).toBe('send-time');
  });

  it('bounds the wait for a training of the same model running in this process too', async () => {
    h = await harness(kind);
    let release!: () => void;
    let began!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const started = new Promise<void>((r) => (began = r));
    const slow: Trainer = { name: 'send-time', description: '', train: async (ctx) => (began(), await gate, { state: {}, metrics: {}, dataFrom: null, dataTo: ctx.now }) };
    const l = h.tact.learning;
    const scheduled = trainModels({ store: h.store, settings: h.tact.settings, registry: l.registry, log: () => undefined, now: Date.now() }, [slow], ['send-time'], 'schedule');
    await started;
    const res = await train(h, '?wait=0');
    expect(res.statusCode).toBe(409);
    expect(res.json().message).toMatch(new RegExp(`^send-time is being trained by process ${process.pid} on .+ \\(for schedule\\) since \\d{4}-\\d\\d-\\d\\dT.*still after 0 s of waiting`));
    release();
    expect((await scheduled)[0].version).toBe(1);
    // The request that gave up trains nothing later: only the scheduled version exists.
    await new Promise((r) => setTimeout(r, 50));
    expect((await h.store.models.versions('send-time', 5)).map((v) => v.trainedBy)).toEqual(['schedule']);
  });

  it('refuses a `wait` outside 0–600 seconds, naming it', async () => {
    h = await harness(kind);
    for (const q of ['?wait=601', '?wait=-1', '?wait=abc']) {
      const res = await train(h, q);
      expect(res.statusCode, q).toBe(400);
      expect(res.json().problems[0].field, q).toBe('querystring.wait');
    }
  });
});
