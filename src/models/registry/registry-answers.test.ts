import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, harness, KEYS, type Harness } from '../../../test/harness.js';
import { DAY, ingest, track } from '../../store/conformance/learn-helpers.js';
import { shopConfig } from '../../decide/fixtures.js';
import { declaredAnswers } from '../answers-fixture.js';
import { logDecisions } from '../uplift/fixtures.js';

type Answer = Record<string, unknown>;

/**
 * The model registry's answers declare their shape in /openapi.json (until 2026-12-05 open
 * objects), and declaring it — Fastify serializes through it — dropped no field of what the
 * handlers return: list, model, train (both ways), trainings, promote, rollback, calibration.
 */
describe('the model registry\'s answers', () => {
  let h: Harness;
  let answers: ReturnType<typeof declaredAnswers>;
  beforeAll(async () => {
    h = await harness('sqlite', {
      config: {
        metrics: [{ name: 'session_length', event: 'Session Ended', property: 'duration' }],
        rates: [{ name: 'email_open', exposure: 'Email Delivered', success: 'Email Opened', within: '3d' }],
      },
    });
    answers = declaredAnswers(h.app);
    const t0 = Date.now() - 40 * DAY;
    const messages = [];
    for (let u = 0; u < 12; u++) {
      for (let d = 0; d < 30; d++) {
        messages.push(track(`u${u}`, 'Session Ended', { duration: 60 + ((u * 7 + d * 13) % 50) }, t0 + d * DAY + u * 60_000));
        messages.push(track(`u${u}`, 'Email Delivered', {}, t0 + d * DAY + u * 60_000));
        if ((u + d) % 3 === 0) messages.push(track(`u${u}`, 'Email Opened', {}, t0 + d * DAY + u * 60_000 + 3_600_000));
      }
    }
    await ingest(h, messages);
  });
  afterAll(async () => h.close());

  it('every model, before any is trained and once the schedule has run one', async () => {
    const before = (await answers.check('GET', '/v1/models', '/v1/models')).body;
    expect(Object.keys(before).sort()).toEqual(['models', 'schedule']);
    expect((before.models as Answer[]).find((m) => m.name === 'baselines')).toMatchObject({ live: null, latest: null, scheduled: null });
    await h.tact.settings.put('training', { models: ['send-time'] }, { author: 't', reason: 't' });
    await h.tact.learning.schedule.tick(Date.now());
    const after = (await answers.check('GET', '/v1/models', '/v1/models')).body;
    const sendTime = (after.models as Answer[]).find((m) => m.name === 'send-time')!;
    expect(Object.keys(sendTime).sort()).toEqual(['autoPromote', 'description', 'latest', 'live', 'name', 'scheduled']);
    expect(Object.keys(sendTime.scheduled as Answer).sort()).toEqual(['error', 'failedAt', 'lastResult', 'lastRunAt', 'nextAt', 'state']);
  });

  it('trains in the request (200), and in the background (202) polled to `done` with its results', async () => {
    const sync = (await answers.check('POST', '/v1/models/baselines/train?sync=true', '/v1/models/{name}/train')).body;
    expect(sync.results).toEqual([expect.objectContaining({ model: 'baselines', version: 1, promotion: expect.objectContaining({ promoted: true, comparison: null }), metrics: expect.any(Object), seconds: expect.any(Number) })]);
    const started = await answers.check('POST', '/v1/models/baselines/train', '/v1/models/{name}/train');
    expect(started.status).toBe(202);
    expect(Object.keys(started.body).sort()).toEqual(['id', 'model', 'startedAt', 'state', 'statusUrl']);
    let polled: Answer = {};
    for (let i = 0; i < 200; i++) {
      polled = (await answers.check('GET', started.body.statusUrl as string, '/v1/models/{name}/trainings/{id}')).body;
      if (polled.state === 'done') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(polled).toMatchObject({ state: 'done', finishedAt: expect.any(String), result: { results: [expect.objectContaining({ model: 'baselines', version: 2 })] } });
  });

  it('a model: its versions and its history; promoted by force, then rolled back', async () => {
    const model = (await answers.check('GET', '/v1/models/baselines', '/v1/models/{name}')).body;
    expect((model.versions as Answer[]).map((v) => v.version)).toEqual([2, 1]);
    expect(Object.keys((model.versions as Answer[])[0]).sort()).toEqual(['dataFrom', 'dataTo', 'metrics', 'trainedAt', 'trainedBy', 'version']);
    expect((model.history as Answer[]).map((e) => e.action)).toContain('trained');
    const live = (model.live as { version: number }).version;
    const other = live === 1 ? 2 : 1;
    const promoted = (await answers.check('POST', '/v1/models/baselines/promote', '/v1/models/{name}/promote', { version: other, force: true, reason: 'a test' })).body;
    expect(promoted).toEqual({ name: 'baselines', version: other, promoted: true, previous: live, reason: expect.stringContaining('a test'), comparison: null });
    expect((await answers.check('POST', '/v1/models/baselines/rollback', '/v1/models/{name}/rollback', { reason: 'back' })).body).toEqual({ name: 'baselines', version: live, from: other });
    const history = (await answers.check('GET', '/v1/models/baselines', '/v1/models/{name}')).body.history as Answer[];
    expect(Object.keys(history[0]).sort()).toEqual(['action', 'actor', 'at', 'comparison', 'name', 'previous', 'reason', 'version']);
  });

  it('a version that is not there: 404 naming the field `version` and the versions there are (QA 2026-12-06: none named)', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/v1/models/baselines/promote', headers: { authorization: bearer(KEYS.admin) }, payload: { version: 99 } });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: 'not_found', message: 'No version of model baselines matches `99`.', problems: [{ field: 'version', message: 'Model baselines has no version 99; its versions are 2, 1.' }] });
    const none = await h.app.inject({ method: 'POST', url: '/v1/models/uplift/promote', headers: { authorization: bearer(KEYS.admin) }, payload: { version: 1 } });
    expect(none.json().problems).toEqual([{ field: 'version', message: 'Model uplift has no version yet: train it first.' }]);
  });

  it('calibration: a rate\'s report with its bins, the decisions\' and uplift\'s with none yet', async () => {
    const rates = (await answers.check('GET', '/v1/models/rates/calibration', '/v1/models/{name}/calibration')).body;
    const [report] = rates.reports as Answer[];
    expect(report).toMatchObject({ model: 'rates', key: 'email_open' });
    expect(report.n as number).toBeGreaterThan(0);
    for (const name of ['decisions', 'uplift']) expect((await answers.check('GET', `/v1/models/${name}/calibration`, '/v1/models/{name}/calibration')).body.model).toBe(name);
  });

  it('/openapi.json declares the fields of each answer', async () => {
    const props = async (method: string, path: string, status: number) => Object.keys(((await answers.schema(method, path, status)) as { properties: object }).properties);
    expect(await props('GET', '/v1/models', 200)).toEqual(['models', 'schedule']);
    expect(await props('GET', '/v1/models/{name}', 200)).toEqual(['name', 'description', 'live', 'versions', 'history']);
    expect(await props('POST', '/v1/models/{name}/train', 200)).toEqual(['results']);
    expect(await props('POST', '/v1/models/{name}/train', 202)).toEqual(['id', 'model', 'state', 'startedAt', 'statusUrl']);
    expect(await props('GET', '/v1/models/{name}/trainings/{id}', 200)).toEqual(expect.arrayContaining(['state', 'finishedAt', 'waitingFor', 'result', 'error']));
    expect(await props('POST', '/v1/models/{name}/promote', 200)).toEqual(['name', 'version', 'promoted', 'previous', 'reason', 'comparison', 'warnings']);
    expect(await props('POST', '/v1/models/{name}/rollback', 200)).toEqual(['name', 'version', 'from', 'warnings']);
    expect(await props('GET', '/v1/models/{name}/calibration', 200)).toEqual(['model', 'reports']);
  });
});

/**
 * GET /v1/models/uplift/calibration answers its own kind of report (predicted uplift against the
 * observed treatment − control difference): /openapi.json declares its fields (until 2026-12-05
 * it described only the rates' report), and a real report is what it says.
 */
describe('the uplift model\'s calibration answer', () => {
  let h: Harness;
  let answers: ReturnType<typeof declaredAnswers>;
  beforeAll(async () => {
    h = await harness('sqlite', { config: shopConfig({ scoring: 'uplift', estimates: { establishedWidth: 0.25 } }) });
    answers = declaredAnswers(h.app);
  });
  afterAll(async () => h.close());

  const upliftFields = ['goal', 'version', 'windowMs', 'treated', 'control', 'level', 'observed', 'interval', 'meanAbsoluteGap', 'binsObserved', 'binsHolding'];

  it('before a version is trained, and with one: goal, version, window, treated and control, the observed uplift with its interval, the bins', async () => {
    const empty = (await answers.check('GET', '/v1/models/uplift/calibration', '/v1/models/{name}/calibration')).body;
    expect((empty.reports as Answer[])[0]).toMatchObject({ model: 'uplift', key: null, goal: null, version: null, windowMs: null, observed: null, interval: null });
    await logDecisions(h, { first: 0, n: 800, at: Date.now() - 30 * DAY, delay: 3_600_000 });
    await h.tact.learning.train(['uplift'], 'test');
    const trained = (await answers.check('GET', '/v1/models/uplift/calibration?key=shoes-offer', '/v1/models/{name}/calibration')).body;
    const [report] = trained.reports as Answer[];
    expect(report).toMatchObject({ model: 'uplift', key: 'shoes-offer', goal: 'conversion', version: 1, windowMs: 7 * DAY, observed: expect.any(Number), interval: { low: expect.any(Number), high: expect.any(Number) } });
    expect(Object.keys(report)).toEqual(expect.arrayContaining(upliftFields));
    expect((report.bins as Answer[]).length).toBeGreaterThan(0);
  });

  it('/openapi.json declares the fields of an uplift report, each described', async () => {
    const schema = (await answers.schema('GET', '/v1/models/{name}/calibration', 200)) as { properties: { reports: { items: { properties: Record<string, { description?: string }> } } } };
    const report = schema.properties.reports.items.properties;
    expect(Object.keys(report)).toEqual(expect.arrayContaining(upliftFields));
    for (const f of upliftFields) expect(report[f].description, f).toContain('`uplift`');
  });

  it('is a 400 naming a query parameter it does not take (`kye`), not every report', async () => {
    const typo = await h.app.inject({ url: '/v1/models/uplift/calibration?kye=shoes-offer', headers: { authorization: bearer(KEYS.admin) } });
    expect([typo.statusCode, typo.json().problems], typo.body).toEqual([400, [{ field: 'querystring.kye', message: 'The `querystring.kye` property is not one this endpoint takes.' }]]);
  });
});
