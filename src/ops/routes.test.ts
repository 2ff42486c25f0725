import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../../test/harness.js';

describe('GET /metrics behind TACT_METRICS_TOKEN', () => {
  let h: Harness;
  beforeAll(async () => {
    process.env.TACT_METRICS_TOKEN = 'scrape-token-1';
    h = await harness('sqlite');
  });
  afterAll(async () => {
    delete process.env.TACT_METRICS_TOKEN;
    await h.close();
  });
  const scrape = (authorization?: string) => h.app.inject({ url: '/metrics', headers: authorization === undefined ? {} : { authorization } });

  it('serves the metrics for the token as `Authorization: Bearer <token>`, the scheme in any case', async () => {
    for (const header of ['Bearer scrape-token-1', 'bearer scrape-token-1', 'BEARER  scrape-token-1']) {
      const r = await scrape(header);
      expect(r.statusCode, header).toBe(200);
      expect(r.body).toMatch(/^# HELP tact_/);
    }
  });

  it('answers 401 with a sentence for no token, a wrong one of any length, or another scheme', async () => {
    for (const header of [undefined, 'Bearer scrape-token-2', 'Bearer s', 'Bearer scrape-token-1-and-more', 'Basic c2NyYXBlLXRva2VuLTE6', 'scrape-token-1']) {
      const r = await scrape(header);
      expect(r.statusCode, String(header)).toBe(401);
      expect(r.json().message, String(header)).toMatch(/TACT_METRICS_TOKEN/);
      expect(r.body).not.toContain('# HELP');
    }
  });
});
