import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, get, harness, type Harness } from '../../../test/harness.js';
import { putConfig } from '../../store/conformance/learn-helpers.js';
import { ratesKind } from './rates-kind.js';

const open = { name: 'email_open', exposure: 'Email Delivered', success: 'Email Opened', within: '3d' };

describe('a rate with a key it does not take', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('is a 400 naming the field, the key it likely means and the rate\'s keys; nothing is stored', async () => {
    h = await harness('sqlite');
    // `withn` beside a `within`: saved, the window would be the other one, and the misspelling ignored.
    const r = await putConfig(h, 'rates', [{ ...open, withn: '1h' }, { ...open, name: 'click', maxWidht: 0.05 }]);
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().problems).toEqual([
      { field: 'rates[0].withn', message: 'The `rates[0].withn` field is not one Tact knows here. Did you mean `within`? The fields are name, exposure, success, within, maxWidth, description.' },
      { field: 'rates[1].maxWidht', message: 'The `rates[1].maxWidht` field is not one Tact knows here. Did you mean `maxWidth`? The fields are name, exposure, success, within, maxWidth, description.' },
    ]);
    expect((await get(h.app, '/v1/config/rates', KEYS.admin)).json().version).toBe(0);
  });

  it('takes the keys it reads', () => {
    expect(ratesKind.check([{ ...open, maxWidth: 0.05, description: 'opens of deliveries' }])).toEqual([]);
  });

  it('in a config file, stops the start', async () => {
    await expect(harness('sqlite', { config: { rates: [{ ...open, withn: '1h' }] } }))
      .rejects.toThrow(/The `rates` section of test-config is not valid: rates\[0\]\.withn: .*Did you mean `within`\?/);
  });
});
