import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, bearer, harness, type Harness } from '../../../test/harness.js';
import { restoreEnv } from '../../../test/tmp.js';

/**
 * The decide benchmark's floor (bench/decide.ts): a no-op route behind the same key check and body
 * parsing, sent the same bodies as /v1/decide. When the input guard began refusing bodies on
 * routes that declare none, every one of the floor's 6,000 requests failed and the bench stopped.
 */
describe('POST /v1/decide/noop (TACT_BENCH_NOOP=1)', () => {
  const saved = { ...process.env };
  let h: Harness;
  beforeAll(async () => {
    process.env.TACT_BENCH_NOOP = '1';
    h = await harness('sqlite');
  });
  afterAll(async () => {
    await h.close();
    restoreEnv(saved);
  });

  it('takes a decision\'s body and answers ok', async () => {
    const r = await h.app.inject({ method: 'POST', url: '/v1/decide/noop', headers: { authorization: bearer(KEYS.server), 'content-type': 'application/json' }, payload: { subject: 'u1', placement: 'home', context: { page: '/' } } });
    expect([r.statusCode, r.json()]).toEqual([200, { ok: true }]);
  });
});
