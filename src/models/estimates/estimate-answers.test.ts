import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, harness, type Harness } from '../../../test/harness.js';
import { Rng } from '../../learn/math/prng.js';
import { normal } from '../../learn/math/samplers.js';
import { DAY, admin, ingest, track } from '../../store/conformance/learn-helpers.js';
import { declaredAnswers } from '../answers-fixture.js';

const ESTIMATE_FIELDS = ['value', 'low', 'high', 'level', 'evidence', 'source', 'status', 'modelVersion', 'updatedAt', 'reading'];

/**
 * The estimates and anomalies answers declare their shape in /openapi.json (until 2026-12-05 an
 * open object), and declaring it — Fastify serializes through it — dropped no field of what the
 * handler returns, nor turned an unbounded end (null) into a number.
 */
describe('the estimates and anomalies answers', () => {
  let h: Harness;
  let answers: ReturnType<typeof declaredAnswers>;
  beforeAll(async () => {
    h = await harness('sqlite', {
      config: {
        metrics: [{ name: 'session_length', event: 'Session Ended', property: 'duration', description: 'Minutes per session.' }],
        sendTime: { engagement: [{ event: 'Email Opened' }] },
        rates: [{ name: 'email_open', exposure: 'Email Delivered', success: 'Email Opened', within: '3d' }],
      },
    });
    answers = declaredAnswers(h.app);
    const rng = new Rng(4);
    const t0 = Date.now() - 50 * DAY;
    const steady = [];
    for (let d = 0; d < 40; d++) for (const hour of [9, 20]) steady.push(track('steady', 'Session Ended', { duration: Math.exp(5 + 0.3 * normal(rng)) }, t0 + d * DAY + hour * 3_600_000));
    steady.push(track('steady', 'Session Ended', { duration: 5000 }, t0 + 40 * DAY + 9 * 3_600_000));
    for (let d = 0; d < 10; d++) {
      steady.push(track('steady', 'Email Delivered', {}, t0 + d * DAY));
      if (d % 2) steady.push(track('steady', 'Email Opened', {}, t0 + d * DAY + 3_600_000));
    }
    await ingest(h, [...steady, track('newbie', 'Session Ended', { duration: 120 }, Date.now() - DAY)]);
  });
  afterAll(async () => h.close());

  it('a profile\'s estimates: every field the handler gave, each estimate with its interval and evidence', async () => {
    const { body } = await answers.check('GET', '/v1/profiles/steady/estimates', '/v1/profiles/{identifier}/estimates', undefined, KEYS.server);
    expect(Object.keys(body).sort()).toEqual(['anomalies', 'decisionEstimates', 'estimates', 'id', 'matchedBy', 'microSegment', 'note', 'segments']);
    const list = body.estimates as Record<string, unknown>[];
    expect(list.map((e) => e.model).sort()).toEqual(['baseline', 'rate', 'send-time']);
    for (const e of list) for (const f of ['model', 'key', ...ESTIMATE_FIELDS]) expect(e, `${e.model as string}: ${f}`).toHaveProperty(f);
    expect(list.find((e) => e.model === 'baseline')).toMatchObject({ description: 'Minutes per session.', status: 'established', source: 'personal' });
    expect(list.find((e) => e.model === 'send-time')?.detail).toBeDefined();
    expect((body.anomalies as Record<string, unknown>[]).find((a) => a.value === 5000)).toBeDefined();
  });

  it('a newcomer\'s learning estimates keep their unbounded ends null, and keep their `detail`', async () => {
    const { body } = await answers.check('GET', '/v1/profiles/newbie/estimates', '/v1/profiles/{identifier}/estimates', undefined, KEYS.server);
    const baseline = (body.estimates as Record<string, unknown>[]).find((e) => e.model === 'baseline')!;
    // No pool trained: the range would be the newcomer's own readings (too few to bound it), so personal.
    expect(baseline).toMatchObject({ status: 'learning', source: 'personal', low: null, high: null });
  });

  it('after training: the population\'s estimates, with the trained model\'s version', async () => {
    expect((await admin(h, '/v1/models/baselines/train?sync=true')).statusCode).toBe(200);
    const { body } = await answers.check('GET', '/v1/profiles/newbie/estimates', '/v1/profiles/{identifier}/estimates', undefined, KEYS.server);
    expect((body.estimates as Record<string, unknown>[]).find((e) => e.model === 'baseline')).toMatchObject({ modelVersion: 'baselines@1', source: 'population' });
  });

  it('a metric\'s anomalies: every field of each flag', async () => {
    const { body } = await answers.check('GET', '/v1/metrics/session_length/anomalies', '/v1/metrics/{name}/anomalies', undefined, KEYS.server);
    const flags = body.anomalies as Record<string, unknown>[];
    expect(flags.length).toBeGreaterThan(0);
    for (const a of flags) expect(Object.keys(a).sort()).toEqual(['at', 'high', 'level', 'low', 'metric', 'modelVersion', 'profileId', 'seq', 'value']);
  });

  it('a metric\'s anomalies with a query parameter it does not take: a 400 naming it, not every flag as if it were not sent', async () => {
    const r = await h.app.inject({ method: 'GET', url: '/v1/metrics/session_length/anomalies?limt=1', headers: { authorization: `Bearer ${KEYS.server}` } });
    expect([r.statusCode, r.json().message]).toEqual([400, 'The `querystring.limt` property is not one this endpoint takes.']);
  });

  it('/openapi.json declares every field of an estimate, with what it means', async () => {
    const schema = (await answers.schema('GET', '/v1/profiles/{identifier}/estimates', 200)) as { properties: { estimates: { items: { properties: Record<string, { description?: string }>; required: string[] } } } };
    const item = schema.properties.estimates.items;
    for (const f of [...ESTIMATE_FIELDS, 'reason', 'model', 'key', 'detail']) expect(item.properties[f]?.description, f).toBeTruthy();
    expect(item.required).toEqual(expect.arrayContaining(['model', 'key', ...ESTIMATE_FIELDS]));
    const flags = (await answers.schema('GET', '/v1/metrics/{name}/anomalies', 200)) as { properties: { anomalies: { items: { required: string[] } } } };
    expect(flags.properties.anomalies.items.required).toEqual(expect.arrayContaining(['profileId', 'value', 'low', 'high', 'level', 'modelVersion']));
  });
});
