import { afterEach, describe, expect, it } from 'vitest';
import { harness } from '../../test/harness.js';
import { restoreEnv } from '../../test/tmp.js';
import { metricsToken } from './routes.js';

/**
 * A TACT_METRICS_TOKEN that no `Authorization: Bearer <token>` header can carry — a space, or the
 * line feed a secret file often ends with — made every scrape a 401 for ever, with a server that
 * started as if all were well. Like the bootstrap keys (docs/keys.md), it stops the start instead.
 */
describe('TACT_METRICS_TOKEN', () => {
  const saved = { ...process.env };
  afterEach(() => restoreEnv(saved));

  it('stops the start when the token holds a space or a control character, naming the variable and not the token', async () => {
    for (const [token, what] of [['zq7 token-1', /a space/], ['zq7-token-1\n', /a control character/], ['zq7-é-1', /"é"/]] as const) {
      expect(() => metricsToken({ TACT_METRICS_TOKEN: token }), JSON.stringify(token)).toThrow(what);
      expect(() => metricsToken({ TACT_METRICS_TOKEN: token })).toThrow(/^TACT_METRICS_TOKEN holds /);
      expect(() => metricsToken({ TACT_METRICS_TOKEN: token })).not.toThrow(/zq7/);
      process.env.TACT_METRICS_TOKEN = token;
      await expect(harness('sqlite'), JSON.stringify(token)).rejects.toThrow(/^TACT_METRICS_TOKEN holds /);
    }
  });

  it('is the token as set, or none when unset or empty', () => {
    expect(metricsToken({ TACT_METRICS_TOKEN: 'scrape-token-1' })).toBe('scrape-token-1');
    expect(metricsToken({ TACT_METRICS_TOKEN: '' })).toBeUndefined();
    expect(metricsToken({})).toBeUndefined();
  });

  it('is documented in /openapi.json as the 401 /metrics gives, not as the keys\' (QA: missing_credentials … listed there)', async () => {
    process.env.TACT_METRICS_TOKEN = 'scrape-token-1';
    const h = await harness('sqlite');
    try {
      const r = await h.app.inject({ url: '/metrics' });
      expect([r.statusCode, r.json().error]).toEqual([401, 'metrics_token_required']);
      const doc = (await h.app.inject({ url: '/openapi.json' })).json();
      const d = doc.paths['/metrics'].get.responses['401'].description as string;
      expect(d).toContain('metrics_token_required');
      expect(d).not.toMatch(/missing_credentials|malformed_credentials|revoked_credentials/);
    } finally {
      await h.close();
    }
  });
});
