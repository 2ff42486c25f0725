import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureShop, seededTact, simulateShopLog } from './simulation.js';

/** Bad requests to the measure routes get a 400 whose problem names the field, never a 200 that reads nothing. */
describe('measure routes refuse what cannot be answered, naming the field', () => {
  let h: Awaited<ReturnType<typeof seededTact>>;
  const lever = [{ name: 'socks push', actions: ['socks'], weight: 1 }];
  beforeAll(async () => {
    h = await seededTact(measureShop({ exploration: 0.3, levers: lever, holdout: 0.1, experiments: { 'hero-test': { placement: 'home', arms: [{ id: 'control', weight: 0.5 }, { id: 'treat', weight: 0.5 }] } } }), { seed: 5 });
    await simulateShopLog(h.tact, { subjects: 150, seed: 2 });
  });
  afterAll(async () => h?.close());
  const get = (url: string) => h.app.inject({ method: 'GET', url, headers: h.auth });
  const post = (payload: object) => h.app.inject({ method: 'POST', url: '/v1/evaluate-policy', headers: h.auth, payload });
  const fields = (body: { problems?: { field: string }[] }) => body.problems?.map((p) => p.field);

  it('a window that ends before it starts', async () => {
    const window = 'from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z';
    for (const url of [`/v1/experiments/hero-test/results?${window}`, `/v1/holdout/results?placement=home&${window}`]) {
      const r = await get(url);
      expect(r.statusCode, url).toBe(400);
      expect(fields(r.json()), url).toEqual(['querystring.to']);
      expect(r.json().message).toMatch(/`to`.*is not after.*`from`/);
    }
    const r = await post({ placement: 'home', candidate: { exploration: 0.1 }, from: '2026-12-01T00:00:00Z', to: '2026-12-01T00:00:00Z' });
    expect(r.statusCode).toBe(400);
    expect(fields(r.json())).toEqual(['to']);
  });

  it('a candidate lever no policy of the log has (it would change nothing, and the report would be the logger\'s)', async () => {
    const r = await post({ placement: 'home', candidate: { levers: { 'sock push': 10 } } });
    expect(r.statusCode).toBe(400);
    expect(fields(r.json())).toEqual(['candidate.levers.sock push']);
    expect(r.json().message).toMatch(/no lever `sock push`.*socks push/);
    expect((await post({ placement: 'home', candidate: { levers: { 'socks push': 10 } } })).statusCode).toBe(200);
  });

  it('a misspelt part of a candidate beside known ones (it changed nothing, and was echoed back as if applied)', async () => {
    const r = await post({ placement: 'home', candidate: { exploration: 0.6, nonescore: 100 } });
    expect(r.statusCode).toBe(400);
    expect(fields(r.json())).toEqual(['candidate.nonescore']);
    expect(r.json().problems[0].message).toMatch(/Did you mean `noneScore`\?/);
  });

  it('an alpha so small that 1 − alpha/2 rounds to 1 (a 500 and intervals of NaN before)', async () => {
    for (const url of ['/v1/experiments/hero-test/results?alpha=1e-16', '/v1/holdout/results?placement=home&alpha=1e-7']) {
      const r = await get(url);
      expect(r.statusCode, url).toBe(400);
      expect(fields(r.json()), url).toEqual(['querystring.alpha']);
    }
    const ok = await get('/v1/experiments/hero-test/results?alpha=0.000001');
    expect(ok.statusCode, ok.body).toBe(200);
    expect(JSON.stringify(ok.json())).not.toMatch(/NaN|Infinity/);
  });

  it('a placement neither the catalog nor the log knows', async () => {
    const r = await post({ placement: 'hmoe', candidate: { exploration: 0.1 } });
    expect(r.statusCode).toBe(400);
    expect(fields(r.json())).toEqual(['placement']);
    expect(r.json().message).toMatch(/`hmoe`.*home/);
  });
});
