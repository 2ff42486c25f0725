import { afterEach, describe, expect, it, vi } from 'vitest';
import { bearer, harness, KEYS, openTwoStores, type Harness } from '../../../test/harness.js';
import { type Trainer, trainModels } from '../train/trainer.js';

const train = (h: Harness, query = '') => h.app.inject({ method: 'POST', url: `/v1/models/send-time/train${query}`, headers: { authorization: bearer(KEYS.admin) } });

/**
 * Past this, a request given `wait=1` waited on regardless (forever, or the default `wait` of 30 s):
 * no wall-clock bound tighter than telling 1 s from 30 s, because on a loaded CI host (620 test
 * files, 4 workers on 2 cores) the answer to `wait=1` once came after more than 5 s (the bound this
 * test had). The exact wait is checked on what the route asks the trainings for, not on the clock.
 */
const NEVER_MS = 25_000;
/** `answer`, or a failure naming the bound once `ms` passed without one. */
async function answeredWithin<T>(answer: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms: the request ignored \`wait\``)), ms)));
  try {
    return await Promise.race([answer, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe.each(['sqlite', 'postgres'] as const)('POST /v1/models/{name}/train?sync=true while the model is being trained (%s)', (kind) => {
  let h: Harness;
  afterEach(async () => h?.close());

  it('waits at most `wait` seconds for another process, then answers 409 naming who trains it since when', async () => {
    h = await harness(kind);
    const since = Date.parse('2026-01-05T02:00:00.000Z');
    // Another process (sharing the store) holds the lease for the next hour.
    await h.store.models.takeTraining({ name: 'send-time', token: 'other', holder: 'process 1 on web-2', actor: 'schedule', since, until: Date.now() + 3_600_000 });
    // What the route asks the trainings for: its wait, exactly, whatever the machine's load.
    const asked = vi.spyOn(h.tact.learning, 'train');
    const started = Date.now();
    const res = await answeredWithin(train(h, '?sync=true&wait=1'), NEVER_MS);
    const waited = Date.now() - started;
    const waits = asked.mock.calls.map((c) => c[2]?.waitMs);
    asked.mockRestore();
    expect(waits).toEqual([1000]);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: 'conflict', message: expect.stringMatching(/^send-time is being trained by process 1 on web-2 \(for schedule\) since 2026-01-05T02:00:00\.000Z, still after 1 s of waiting: nothing was trained\. Ask again once that training is over/) });
    // Holds under any load: the lease gives up only once Date.now() passed a deadline set after `started`.
    expect(waited).toBeGreaterThanOrEqual(1000);
    expect((await train(h, '?sync=true&wait=0')).statusCode).toBe(409);
    // Once that process released it, the request trains.
    await h.store.models.releaseTraining('send-time', 'other');
    const done = await train(h, '?sync=true&wait=0');
    expect(done.statusCode).toBe(200);
    expect(done.json().results[0].model).toBe('send-time');
  }, 2 * NEVER_MS);

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
    const res = await train(h, '?sync=true&wait=0');
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
    for (const q of ['?wait=601', '?wait=-1', '?wait=abc', '?sync=true&wait=601']) {
      const res = await train(h, q);
      expect(res.statusCode, q).toBe(400);
      expect(res.json().problems[0].field, q).toBe('querystring.wait');
    }
  });
});

const status = (h: Harness, url: string) => h.app.inject({ method: 'GET', url, headers: { authorization: bearer(KEYS.admin) } });
/** Polls a training until it is over (or `until` says so), as a client would. */
async function poll(h: Harness, url: string, until = (state: string) => state !== 'running' && state !== 'waiting') {
  for (const end = Date.now() + 10_000; Date.now() < end; await new Promise((r) => setTimeout(r, 20))) {
    const res = await status(h, url);
    expect(res.statusCode, res.body).toBe(200);
    if (until(res.json().state)) return res.json();
  }
  throw new Error(`${url} did not reach the state awaited in 10 s`);
}
/** Replaces the send-time trainer of this server (a training that is slow, or fails). */
const useTrainer = (h: Harness, t: Trainer) => Object.assign(h.tact.learning, { trainers: [t] });

describe.each(['sqlite', 'postgres'] as const)('POST /v1/models/{name}/train in the background (%s)', (kind) => {
  let h: Harness;
  afterEach(async () => h?.close());

  it('answers 202 with where to poll; the training runs to `done` with the results a synchronous request answers', async () => {
    h = await harness(kind);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    useTrainer(h, { name: 'send-time', description: '', train: async (ctx) => (await gate, { state: {}, metrics: { n: 3 }, dataFrom: null, dataTo: ctx.now }) });
    const res = await train(h);
    expect(res.statusCode, res.body).toBe(202);
    const job = res.json();
    expect(job).toEqual({ id: expect.any(String), model: 'send-time', state: 'running', startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), statusUrl: `/v1/models/send-time/trainings/${job.id}` });
    expect(res.headers.location).toBe(job.statusUrl);
    // Asked again while it runs: the same training, not a second one.
    const again = await train(h);
    expect(again.statusCode).toBe(202);
    expect(again.json().id).toBe(job.id);
    expect((await status(h, job.statusUrl)).json()).toMatchObject({ id: job.id, model: 'send-time', state: 'running' });
    release();
    const done = await poll(h, job.statusUrl);
    expect(done).toMatchObject({ id: job.id, model: 'send-time', state: 'done', result: { results: [{ model: 'send-time', version: 1, metrics: { n: 3 }, promotion: { promoted: true } }] } });
    expect(Date.parse(done.finishedAt)).toBeGreaterThanOrEqual(Date.parse(done.startedAt));
    // Once over, asking again starts a new training.
    const next = await train(h);
    expect(next.json().id).not.toBe(job.id);
    expect((await poll(h, next.json().statusUrl)).result.results[0].version).toBe(2);
  });

  it('says `failed` with the error sentence when the training throws', async () => {
    h = await harness(kind);
    useTrainer(h, { name: 'send-time', description: '', train: async () => { throw new Error('the events table could not be read'); } });
    const res = await train(h);
    expect(res.statusCode).toBe(202);
    expect(await poll(h, res.json().statusUrl)).toMatchObject({ state: 'failed', error: 'the events table could not be read' });
  });

  it('says `waiting` for the scheduled training of the model running in this process, then trains', async () => {
    h = await harness(kind);
    const calls: string[] = [];
    const scheduled = gated('schedule', calls);
    let began!: () => void;
    const started = new Promise<void>((r) => (began = r));
    const l = h.tact.learning;
    const slow: Trainer = { ...scheduled.trainer, train: (ctx) => (began(), scheduled.trainer.train(ctx)) };
    const run = trainModels({ store: h.store, settings: h.tact.settings, registry: l.registry, log: () => undefined, now: Date.now() }, [slow], ['send-time'], 'schedule');
    await started;
    useTrainer(h, { name: 'send-time', description: '', train: async (ctx) => (calls.push('on demand'), { state: {}, metrics: {}, dataFrom: null, dataTo: ctx.now }) });
    const url = (await train(h)).json().statusUrl;
    try {
      expect(await poll(h, url, (s) => s !== 'running')).toMatchObject({ state: 'waiting', waitingFor: expect.stringMatching(new RegExp(`^send-time is being trained by process ${process.pid} on .+ \\(for schedule\\) since \\d{4}-`)) });
    } finally {
      scheduled.release();
    }
    expect((await run)[0].version).toBe(1);
    expect(await poll(h, url)).toMatchObject({ state: 'done', result: { results: [{ version: 2 }] } });
    expect(calls).toEqual(['schedule', 'on demand']);
  });

  it('says `waiting` naming who holds the model in another process, then `busy` once `wait` ran out', async () => {
    h = await harness(kind);
    const since = Date.parse('2026-01-05T02:00:00.000Z');
    await h.store.models.takeTraining({ name: 'send-time', token: 'other', holder: 'process 1 on web-2', actor: 'schedule', since, until: Date.now() + 3_600_000 });
    const res = await train(h, '?wait=1');
    expect(res.statusCode).toBe(202);
    const url = res.json().statusUrl;
    const sentence = 'send-time is being trained by process 1 on web-2 (for schedule) since 2026-01-05T02:00:00.000Z';
    expect(await poll(h, url, (s) => s !== 'running')).toMatchObject({ state: 'waiting', waitingFor: sentence });
    const over = await poll(h, url);
    expect(over).toMatchObject({ state: 'busy', error: expect.stringMatching(/^send-time is being trained by process 1 on web-2 .*still after 1 s of waiting: nothing was trained/) });
    expect(over.waitingFor).toBeUndefined();
  });

  it('answers 404 with a sentence for an id it does not know (or no longer keeps), or of another model', async () => {
    h = await harness(kind);
    const res = await status(h, '/v1/models/send-time/trainings/0b7c1f0e-0000-4000-8000-000000000000');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: 'not_found', message: expect.stringMatching(/training.*last 50.*`0b7c1f0e-0000-4000-8000-000000000000`/) });
    const job = (await train(h)).json();
    await poll(h, job.statusUrl);
    expect((await status(h, `/v1/models/rates/trainings/${job.id}`)).statusCode).toBe(404);
    expect((await status(h, `/v1/models/nope/trainings/${job.id}`)).json().error).toBe('not_found');
  });
});

/** A send-time trainer held until `release()`; `calls` says which process trained. */
function gated(who: string, calls: string[]) {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const trainer: Trainer = { name: 'send-time', description: '', train: async (ctx) => (calls.push(who), await gate, { state: {}, metrics: { by: who }, dataFrom: null, dataTo: ctx.now }) };
  return { trainer, release: () => release() };
}

describe.each(['sqlite', 'postgres'] as const)('trainings on demand seen by every process sharing the store (%s)', (kind) => {
  let closeAll = async () => {};
  afterEach(async () => closeAll());

  it('polled from another process, the training shows its state and results; asked of another while it runs, the same training answers', async () => {
    const two = await openTwoStores(kind);
    const a = await harness(kind, { store: two.stores[0] });
    const b = await harness(kind, { store: two.stores[1] });
    const calls: string[] = [];
    const inA = gated('a', calls);
    useTrainer(a, inA.trainer);
    useTrainer(b, gated('b', calls).trainer);
    closeAll = async () => { inA.release(); await a.close(); await b.close(); await two.cleanup(); };
    const job = (await train(a)).json();
    expect(job.state).toBe('running');
    // Another process (behind the same load balancer) answers the status URL …
    expect((await status(b, job.statusUrl)).json()).toMatchObject({ id: job.id, model: 'send-time', state: 'running' });
    // … and, asked to train the model, answers the training running rather than starting another.
    const again = await train(b);
    expect(again.statusCode).toBe(202);
    expect(again.json()).toMatchObject({ id: job.id, statusUrl: job.statusUrl });
    inA.release();
    expect(await poll(b, job.statusUrl)).toMatchObject({ id: job.id, state: 'done', result: { results: [{ model: 'send-time', version: 1, metrics: { by: 'a' } }] } });
    expect(calls).toEqual(['a']);
  });
});
