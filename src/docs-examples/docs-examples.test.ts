import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { harness, KEYS, type Harness } from '../../test/harness.js';
import { loadConfigFile } from '../config/config-file.js';
import { alertSchema } from '../monitor/schemas.js';
import { type CurlRequest, curls, fences, keysOf } from './extract.js';

// The docs' examples, run as a reader would run them, against an in-process server: config
// snippets must be accepted, curl commands must succeed, and the answers the docs print must have
// the fields the server answers with (no more, no fewer). Numbers differ run to run; shapes may not.

const root = new URL('../../', import.meta.url);
const page = (name: string) => readFileSync(new URL(name, root), 'utf8');
const KEY_OF: Record<string, string> = { TACT_WRITE_KEY: KEYS.write, TACT_SERVER_KEY: KEYS.server, TACT_ADMIN_KEY: KEYS.admin };

/** Sends one documented curl command to the app, with the test's keys for the documented ones. */
async function run(h: Harness, c: CurlRequest) {
  const headers: Record<string, string> = { ...c.headers };
  if (c.auth) {
    const [scheme, name] = c.auth.split(':');
    const key = KEY_OF[name];
    if (!key) throw new Error(`The docs' curl command uses the key $${name}, which the README does not define.`);
    headers.authorization = scheme === 'basic' ? `Basic ${Buffer.from(`${key}:`).toString('base64')}` : `Bearer ${key}`;
  }
  const r = await h.app.inject({ method: c.method as 'GET', url: c.url, headers, payload: c.body ?? undefined });
  return { status: r.statusCode, body: r.json() as Record<string, any>, text: r.body };
}

/** The documented answer and the real one have the same fields, named where they differ. */
function sameFields(where: string, documented: unknown, real: unknown) {
  expect({ where, fields: keysOf(documented) }).toEqual({ where, fields: keysOf(real) });
}

const yamlBlocks = (name: string) => fences(page(name)).filter((f) => f.lang === 'yaml').map((f) => parseYaml(f.text) as Record<string, any>);
const shellBlocks = (name: string) => fences(page(name)).filter((f) => f.lang === 'sh').flatMap((f) => curls(f.text));

describe('README: the start, as written, against the example tact.config.yaml', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite', { config: loadConfigFile(new URL('tact.config.yaml', root).pathname)!.sections });
  });
  afterAll(() => h?.close());

  it('stores Ana, reads her back by e-mail, and does not offer her the shoes she bought, saying why', async () => {
    const requests = shellBlocks('README.md');
    expect(requests.map((c) => `${c.method} ${c.url}`)).toEqual(['POST /v1/identify', 'POST /v1/track', 'GET /v1/profiles/email:ana@example.com', 'POST /v1/decide']);
    const answers = [];
    for (const c of requests) answers.push(await run(h, c));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(answers[2].body.matchedBy).toEqual({ kind: 'email', value: 'ana@example.com' });
    const decision = answers[3].body;
    expect(decision.choices.map((c: { action?: string }) => c.action)).not.toContain('shoes-offer');
    expect(decision.explanation.operator).toContain('the subject bought it already');
  });
});

describe('docs/decisions.md: its catalog and policy, its example and its answers', () => {
  let h: Harness;
  const file = 'docs/decisions.md';
  const [catalogDoc, policyDoc, banditDoc, recsDoc] = yamlBlocks(file);
  const json = fences(page(file)).filter((f) => f.lang === 'json');
  const documented = JSON.parse(json.find((f) => f.text.includes('"choices"'))!.text);
  let decisionId = '';

  beforeAll(async () => {
    // The page's rules and levers read these features (the page names them: purchased, orders).
    const features = [
      { name: 'purchased', kind: 'unique', event: 'Order Completed', property: 'products[].product_id', limit: 200 },
      { name: 'orders', kind: 'count', event: 'Order Completed' },
      { name: 'revenue', kind: 'sum', event: 'Order Completed', property: 'revenue' },
    ];
    // The page's example shows the best offer: the exploration budget's draws land above it, so no
    // run explores (it chose "none" 1 run in 10, and then had no choice to credit the purchase to).
    h = await harness('sqlite', { config: { features, ...catalogDoc, ...policyDoc }, random: () => 0.5 });
    await run(h, { method: 'POST', url: '/v1/identify', auth: 'basic:TACT_WRITE_KEY', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'ana', context: { consent: { categoryPreferences: { Advertising: true } } } }) });
  });
  afterAll(() => h?.close());

  it('answers the example decision with the fields the page prints', async () => {
    const example = shellBlocks(file).filter((c) => c.url.startsWith('/v1/track') || c.url.startsWith('/v1/decide')).slice(1, 3);
    expect(example.map((c) => c.url)).toEqual(['/v1/track', '/v1/decide']);
    expect((await run(h, example[0])).status).toBe(200);
    const { status, body } = await run(h, example[1]);
    expect(status).toBe(200);
    decisionId = body.decisionId;
    sameFields('the decision', documented, body);
    sameFields('explanation', documented.explanation, body.explanation);
    sameFields('explanation.experiment', documented.explanation.experiment, body.explanation.experiment);
    sameFields('explanation.ladder', documented.explanation.ladder, body.explanation.ladder);
    for (const choice of body.choices) {
      const doc = documented.choices.find((c: { action: string }) => c.action === choice.action);
      if (doc && ('variant' in doc) === ('variant' in choice)) sameFields(`the choice of ${choice.action}`, doc, choice);
    }
    const socks = body.explanation.candidates.find((c: { action: string }) => c.action === 'socks-offer');
    expect(socks).toEqual(documented.explanation.candidates.find((c: { action: string }) => c.action === 'socks-offer'));
  });

  it('credits the purchase as the page shows, and replays the decision with the fields it prints', async () => {
    expect(decisionId).not.toBe('');
    const buy = { userId: 'ana', event: 'Order Completed', properties: { revenue: 120, products: [{ product_id: 'sku-shoes' }] } };
    await run(h, { method: 'POST', url: '/v1/track', auth: 'basic:TACT_WRITE_KEY', headers: { 'content-type': 'application/json' }, body: JSON.stringify(buy) });
    await h.tact.consumers.runAll(); // the log consumer that turns tracked events into outcomes
    const read = await run(h, { method: 'GET', url: `/v1/decisions/${decisionId}`, auth: 'bearer:TACT_SERVER_KEY', headers: {}, body: null });
    const credited = JSON.parse(json.find((f) => f.text.includes('"reward"'))!.text)[0];
    expect(read.body.outcomes.length).toBe(1);
    sameFields('a credited outcome', credited, read.body.outcomes[0]);
    const replay = await run(h, { method: 'GET', url: `/v1/decisions/${decisionId}/replay`, auth: 'bearer:TACT_SERVER_KEY', headers: {}, body: null });
    const printed = JSON.parse(/`(\{"decisionId"[^`]*"explainsItself"[^`]*\})`/.exec(page(file))![1]);
    sameFields('the replay', printed, replay.body);
    expect(replay.body).toMatchObject({ checked: 5, differences: [], explainsItself: true });
  });

  it('takes the flag of the page', async () => {
    const flag = shellBlocks(file).find((c) => c.url === '/v1/flags')!;
    expect((await run(h, flag)).status).toBe(201);
  });

  it('takes the bandit and recommendation placements of the page in its catalog', async () => {
    const catalog = { ...catalogDoc.catalog, placements: [...catalogDoc.catalog.placements, { ...banditDoc.placements[0], id: 'home-bandit' }, recsDoc.placements[0]] };
    const r = await h.app.inject({ method: 'PUT', url: '/v1/config/catalog', headers: { authorization: `Bearer ${KEYS.admin}` }, payload: { document: catalog, reason: 'docs' } });
    expect(r.statusCode, r.body).toBe(200);
  });

  it('takes the experiment of docs/measure.md once its two policy versions are stored', async () => {
    const admin = { authorization: `Bearer ${KEYS.admin}` };
    const policy2 = { ...policyDoc.policy, exploration: { budget: 0.1 } };
    expect((await h.app.inject({ method: 'PUT', url: '/v1/config/policy', headers: admin, payload: { document: policy2, reason: 'v2' } })).statusCode).toBe(200);
    const [experiments] = yamlBlocks('docs/measure.md');
    const r = await h.app.inject({ method: 'PUT', url: '/v1/config/experiments', headers: admin, payload: { document: experiments.experiments, reason: 'docs' } });
    expect(r.statusCode, r.body).toBe(200);
  });
});

describe('docs/monitors.md: its configuration and its alert', () => {
  let h: Harness;
  beforeAll(async () => { h = await harness('sqlite'); });
  afterAll(() => h?.close());

  it('takes the monitors configuration of the page', async () => {
    const [doc] = yamlBlocks('docs/monitors.md');
    const r = await h.app.inject({ method: 'PUT', url: '/v1/config/monitors', headers: { authorization: `Bearer ${KEYS.admin}` }, payload: { document: doc.monitors, reason: 'docs' } });
    expect(r.statusCode, r.body).toBe(200);
  });

  it('prints an alert with exactly the fields GET /v1/alerts answers with', () => {
    const alert = JSON.parse(fences(page('docs/monitors.md')).find((f) => f.lang === 'json' && f.text.includes('"resolvedDelivery"'))!.text);
    sameFields('the alert', alert, alertSchema.properties);
    sameFields('its delivery', alert.delivery, alertSchema.properties.delivery.properties);
  });
});
