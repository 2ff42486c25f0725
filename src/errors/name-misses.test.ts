import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, bearer, harness, type Harness } from '../../test/harness.js';
import { measureShop } from '../measure/simulation.js';

// Every route that takes a name or an identifier answers a miss the same way (not-found.ts,
// profiles/lookup.ts): a 404 naming the value, and the known name meant when one is within two
// edits (`unknown_name`, or `unknown_identifier_kind` for a profile's identifier).
const config = {
  ...measureShop({ experiments: { 'hero-test': { placement: 'home', arms: [{ id: 'control', weight: 0.5 }, { id: 'bold', weight: 0.5 }] } } }),
  features: [{ name: 'orders', kind: 'count', event: 'Order Completed' }],
  segments: { audiences: [{ name: 'buyers', when: 'features.orders > 0' }] },
  metrics: [{ name: 'spend', event: 'Order Completed', property: 'revenue' }],
};

interface Miss {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  key?: string;
  body?: object;
  /** The error code and the sentence the answer gives. */
  error: string;
  message: string | RegExp;
  suggestion?: string;
}

const admin = KEYS.admin;
const MODELS = 'micro-segments, send-time, rates, baselines, recommendations, uplift';
const nearModel = (url: string, method: Miss['method'] = 'GET', body?: object): Miss => ({
  method, url, key: method === 'GET' ? undefined : admin, body, error: 'unknown_name', suggestion: 'rates',
  message: `No model matches \`ratez\`: did you mean \`rates\`? The models are ${MODELS}.`,
});

const MISSES: Miss[] = [
  {
    method: 'GET', url: `/v1/profiles/${encodeURIComponent('emial:ana@x.com')}/estimates`, error: 'unknown_identifier_kind', suggestion: 'email:ana@x.com',
    message: 'No profile matches `emial:ana@x.com`, and `emial` is not an identifier kind Tact or the merge rules name: did you mean `email:ana@x.com`? The kinds are userId, anonymousId, email and profile (Tact\'s own id); any other is an external id\'s `type`, as messages send it.',
  },
  { method: 'GET', url: `/v1/profiles/${encodeURIComponent('phone:42')}/estimates`, error: 'not_found', message: 'No profile matches `phone:42`.' },
  nearModel('/v1/models/ratez'),
  nearModel('/v1/models/ratez/train', 'POST'),
  nearModel('/v1/models/ratez/trainings/1'),
  nearModel('/v1/models/ratez/promote', 'POST', { version: 1 }),
  nearModel('/v1/models/ratez/rollback', 'POST', {}),
  { method: 'GET', url: '/v1/models/xyzzy', error: 'not_found', message: `No model (the models are ${MODELS}) matches \`xyzzy\`.` },
  {
    method: 'GET', url: '/v1/models/ratez/calibration', error: 'unknown_name', suggestion: 'rates',
    message: 'No model with a calibration report matches `ratez`: did you mean `rates`? The models with a calibration report, those that record predictions, are rates, decisions, uplift.',
  },
  { method: 'GET', url: '/v1/segments/buyer/members', error: 'unknown_name', suggestion: 'buyers', message: 'No segment matches `buyer`: did you mean `buyers`? The segments are buyers.' },
  { method: 'GET', url: '/v1/segments/buyer/events', error: 'unknown_name', suggestion: 'buyers', message: 'No segment matches `buyer`: did you mean `buyers`? The segments are buyers.' },
  { method: 'GET', url: '/v1/segments/nope/members', error: 'not_found', message: 'No segment (the segments are buyers) matches `nope`.' },
  { method: 'GET', url: '/v1/config/segmentz', error: 'unknown_name', suggestion: 'segments', message: /^No configuration kind matches `segmentz`: did you mean `segments`\? The configuration kinds are features, .*segments.*\.$/ },
  { method: 'GET', url: '/v1/config/segmentz/history', error: 'unknown_name', suggestion: 'segments', message: /did you mean `segments`\?/ },
  { method: 'PUT', url: '/v1/config/segmentz', key: admin, body: { document: {}, reason: 'test' }, error: 'unknown_name', suggestion: 'segments', message: /did you mean `segments`\?/ },
  { method: 'DELETE', url: '/v1/features/order', key: admin, error: 'unknown_name', suggestion: 'orders', message: 'No feature matches `order`: did you mean `orders`? The features are orders.' },
  { method: 'DELETE', url: '/v1/features/xyzzy', key: admin, error: 'not_found', message: 'No feature (the features are orders) matches `xyzzy`.' },
  { method: 'GET', url: '/v1/metrics/spnd/anomalies', error: 'unknown_name', suggestion: 'spend', message: 'No metric matches `spnd`: did you mean `spend`? The metrics are spend.' },
  { method: 'GET', url: '/v1/experiments/hero-tset/results', error: 'unknown_name', suggestion: 'hero-test', message: 'No experiment matches `hero-tset`: did you mean `hero-test`? The experiments are hero-test.' },
];

describe.each(['sqlite', 'postgres'] as const)('a name or identifier that nothing has (%s)', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness(kind, { config });
  });
  afterAll(async () => h.close());

  it.each(MISSES.map((m) => [`${m.method} ${decodeURIComponent(m.url)}`, m] as const))('%s: a 404 naming it, and the name meant when one is near', async (_, m) => {
    const res = await h.app.inject({ method: m.method, url: m.url, headers: { authorization: bearer(m.key) }, ...(m.body ? { payload: m.body } : {}) });
    expect(res.statusCode, res.body).toBe(404);
    const json = res.json() as { error: string; message: string; suggestion?: string };
    expect(json.error).toBe(m.error);
    if (typeof m.message === 'string') expect(json.message).toBe(m.message);
    else expect(json.message).toMatch(m.message);
    expect(json.suggestion).toBe(m.suggestion);
  });

  // These answer for a subject no profile holds (a new one), as they should; a kind near Tact's is a warning.
  it.each([
    ['POST /v1/recommendations', '/v1/recommendations', { n: 3 }],
    ['POST /v1/rerank', '/v1/rerank', { items: [{ id: 'a', relevance: 1 }] }],
    ['POST /v1/decide', '/v1/decide', { placement: 'home' }],
  ] as const)('%s answers for a new subject, warning when its kind is near one of Tact\'s', async (_, url, rest) => {
    const ask = (subject: string, key = KEYS.server) => h.app.inject({ method: 'POST', url, headers: { authorization: bearer(key) }, payload: { subject, ...rest } });
    const misspelt = await ask('emial:x@y.com');
    expect(misspelt.statusCode, misspelt.body).toBe(200);
    expect(misspelt.json().warnings).toEqual([{
      field: 'subject',
      message: 'No profile matches `emial:x@y.com`, and `emial` is not an identifier kind Tact or the merge rules name: did you mean `email:x@y.com`? The kinds are userId, anonymousId, email and profile (Tact\'s own id); any other is an external id\'s `type`, as messages send it. The answer is for a subject Tact knows nothing of.',
      suggestion: 'email:x@y.com',
    }]);
    for (const subject of ['phone:42', 'u-new', 'email:new@y.com']) {
      const fine = await ask(subject);
      expect(fine.statusCode, fine.body).toBe(200);
      expect(fine.json().warnings, subject).toBeUndefined();
    }
  });
});
