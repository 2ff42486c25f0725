import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, get, harness, type Harness } from '../../../test/harness.js';

const config = { rates: [{ name: 'email_open', exposure: 'Email Delivered', success: 'Email Opened', within: '72h' }, { name: 'email_click', exposure: 'Email Delivered', success: 'Email Link Clicked', within: '72h' }] };

describe('GET /v1/models/{name}/calibration', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('with no resolved prediction yet reports no ECE (null), not a perfect 0', async () => {
    h = await harness('sqlite', { config });
    const r = await get(h.app, '/v1/models/rates/calibration?key=email_open', KEYS.admin);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().reports).toEqual([expect.objectContaining({ key: 'email_open', n: 0, ece: null, mce: null, brier: null })]);
  });

  it('refuses a `key` that is no configured rate (a typo read as "nothing yet"), and a `key` for the decisions, naming the field', async () => {
    h = await harness('sqlite', { config });
    const r = await get(h.app, '/v1/models/rates/calibration?key=email_opn', KEYS.admin);
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().problems).toEqual([{ field: 'key', message: 'The `key` `email_opn` is not a configured rate and has no recorded predictions. Did you mean `email_open`? The rates are email_open, email_click.' }]);
    const d = await get(h.app, '/v1/models/decisions/calibration?key=email_open', KEYS.admin);
    expect(d.statusCode, d.body).toBe(400);
    expect(d.json().problems).toEqual([{ field: 'key', message: 'The `key` chooses one rate of `rates`; `decisions` has one report and no keys.' }]);
  });
});
