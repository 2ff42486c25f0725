import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, get, harness, type Harness } from '../../../test/harness.js';
import { putConfig } from '../../store/conformance/learn-helpers.js';
import { sendTimeKind } from './send-time-kind.js';

describe('a send-time engagement entry with a key it does not take', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('is a 400 naming the field, the key it likely means and the entry\'s keys; nothing is stored', async () => {
    h = await harness('sqlite');
    // `{ type: track, evnt: … }` saved would count every track event as engagement, not the opens.
    const r = await putConfig(h, 'send-time', { engagement: [{ type: 'track', evnt: 'Email Opened' }] });
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().problems).toEqual([
      { field: 'engagement[0].evnt', message: 'The `engagement[0].evnt` field is not one Tact knows here. Did you mean `event`? The fields are event, type.' },
    ]);
    expect((await get(h.app, '/v1/config/send-time', KEYS.admin)).json().version).toBe(0);
  });

  it('refuses an entry naming an event beside a type other than track: it could never match (until 2026-12-06 saved and ignored)', () => {
    expect(sendTimeKind.check({ engagement: [{ event: 'Email Opened', type: 'page' }] })).toEqual([{ field: 'engagement[0].type', message: expect.stringContaining('would never match') }]);
    expect(sendTimeKind.check({ engagement: [{ event: 'Email Opened', type: 'track' }] })).toEqual([]);
  });

  it('takes the keys it reads', () => {
    expect(sendTimeKind.check({ engagement: [{ event: 'Email Opened' }, { type: 'track', event: 'Email Link Clicked' }, { type: 'page' }], minEvents: 3, maxRelativeWidth: 0.8 })).toEqual([]);
  });

  it('a width threshold relative to the share: 1 by default, a positive number when set', () => {
    expect(sendTimeKind.compile({ engagement: [{ event: 'Email Opened' }] }).maxRelativeWidth).toBe(1);
    expect(sendTimeKind.compile({ engagement: [{ event: 'Email Opened' }], maxRelativeWidth: 0.5 }).maxRelativeWidth).toBe(0.5);
    expect(sendTimeKind.check({ engagement: [{ event: 'Email Opened' }], maxRelativeWidth: 0 })).toEqual([{ field: 'maxRelativeWidth', message: 'The `maxRelativeWidth` must be a number from 0.01 to 100.' }]);
  });

  it('in a config file, stops the start', async () => {
    await expect(harness('sqlite', { config: { sendTime: { engagement: [{ event: 'Email Opened', tpye: 'track' }] } } }))
      .rejects.toThrow(/The `sendTime` section of test-config is not valid: engagement\[0\]\.tpye: .*Did you mean `type`\?/);
  });
});
