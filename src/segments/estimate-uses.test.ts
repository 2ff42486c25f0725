import { afterEach, describe, expect, it } from 'vitest';
import { get, harness, openTestStore, type Harness } from '../../test/harness.js';
import { EMAIL_OPEN_RATE } from '../models/rates/email-fixture.js';
import { putConfig } from '../store/conformance/learn-helpers.js';

const CLICK_RATE = { name: 'email_click', exposure: 'Email Delivered', success: 'Email Link Clicked', within: '1d' };
const METRIC = { name: 'session_length', event: 'Session Ended', property: 'duration' };
const SEND_TIME = { engagement: [{ event: 'Email Opened' }] };
const features = [{ name: 'orders', kind: 'count', event: 'Order Completed' }];
const segments = (...when: string[]) => ({ audiences: when.map((w, i) => ({ name: `s${i}`, when: w })) });
const problems = (r: { statusCode: number; body: string; json(): { problems?: { field: string; message: string }[] } }): { field: string; message: string }[] => {
  expect(r.statusCode, r.body).toBe(400);
  return r.json().problems ?? [];
};

// Removing a rate or a metric that a stored segment rule reads left the rule failing for every
// subject ("No such key"): until 2026-12-06 the removal was taken (the rule had been checked when
// written, against the rates then configured). So was a segment rule on send time with none
// configured (`estimates.sendTime` null for everyone), and switching send time off under one.
describe('removing a rate or a metric a segment rule reads', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('is a 400 naming the rate, the segment and its rule, until the rule no longer reads it', async () => {
    h = await harness('sqlite', {
      config: { rates: [EMAIL_OPEN_RATE, CLICK_RATE], metrics: [METRIC], segments: segments('estimates.rates.email_open.value > 0.3 && estimates.rates["email_open"].low > 0.1', 'has(estimates.baselines.session_length) && estimates.baselines.session_length.value > 60.0') },
    });
    expect(problems(await putConfig(h, 'rates', [CLICK_RATE]))).toEqual([
      { field: 'rates', message: 'The rate `email_open` is read by the segment `s0` (`audiences[0].when` of the segments, as `estimates.rates.email_open`): change that first, then remove the rate, or change both at once (PUT /v1/config; to rename it, add the new name, move the rule to it and remove this one in the same change).' },
    ]);
    // A rename is a removal of the old name.
    expect(problems(await putConfig(h, 'rates', [{ ...EMAIL_OPEN_RATE, name: 'opens' }, CLICK_RATE]))[0].message).toMatch(/^The rate `email_open` is read by the segment `s0`/);
    expect(problems(await putConfig(h, 'metrics', []))).toEqual([
      { field: 'metrics', message: 'The metric `session_length` is read by the segment `s1` (`audiences[1].when` of the segments, as `estimates.baselines.session_length`): change that first, then remove the metric, or change both at once (PUT /v1/config; to rename it, add the new name, move the rule to it and remove this one in the same change).' },
    ]);
    expect((await get(h.app, '/v1/config/rates')).json().body.map((r: { name: string }) => r.name)).toEqual(['email_open', 'email_click']);
    // A rate no rule reads goes; a changed definition under the same name is no removal.
    expect((await putConfig(h, 'rates', [{ ...EMAIL_OPEN_RATE, within: '2d' }])).statusCode).toBe(200);
    // Once the rule reads the new name, the old one goes.
    expect((await putConfig(h, 'rates', [EMAIL_OPEN_RATE, { ...EMAIL_OPEN_RATE, name: 'opens' }])).statusCode).toBe(200);
    expect((await putConfig(h, 'segments', segments('estimates.rates.opens.value > 0.3'))).statusCode).toBe(200);
    expect((await putConfig(h, 'rates', [{ ...EMAIL_OPEN_RATE, name: 'opens' }])).statusCode).toBe(200);
    expect((await putConfig(h, 'metrics', [])).statusCode).toBe(200);
  });

  it('in a config file, stops the start and stores none of its sections; the file\'s own segments count', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    try {
      const first = await harness('sqlite', { store, config: { rates: [EMAIL_OPEN_RATE], metrics: [METRIC], segments: segments('estimates.rates.email_open.value > 0.3', 'estimates.baselines.session_length.value > 60.0') } });
      await first.close();
      // The features come before the rates: refused, the file leaves them unwritten too.
      await expect(harness('sqlite', { store, config: { features, rates: [CLICK_RATE], metrics: [], segments: segments('estimates.rates.email_open.value > 0.3', 'estimates.baselines.session_length.value > 60.0') } }))
        .rejects.toThrow('The `metrics` section of test-config is not valid: metrics: The metric `session_length` is read by the segment `s1` (`audiences[1].when` of the segments, as `estimates.baselines.session_length`): change that first, then remove the metric, or change both at once (PUT /v1/config; to rename it, add the new name, move the rule to it and remove this one in the same change). The `rates` section of test-config is not valid: rates: The rate `email_open` is read by the segment `s0` (`audiences[0].when` of the segments, as `estimates.rates.email_open`)');
      expect(await store.documents.latest('features')).toBeUndefined();
      expect((await store.documents.latest('rates'))?.version).toBe(1);
      // A file that moves the rules off them removes them at the same start.
      h = await harness('sqlite', { store, config: { features, rates: [CLICK_RATE], metrics: [], segments: segments('estimates.rates.email_click.value > 0.3') } });
      expect((await get(h.app, '/v1/config/rates')).json().body).toEqual([CLICK_RATE]);
      expect((await get(h.app, '/v1/config/metrics')).json().body).toEqual([]);
    } finally {
      await h?.close();
      h = undefined;
      await cleanup();
    }
  });
});

describe('a segment rule on send time', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('is a 400 while no send time is configured, saying how to configure it; then send time cannot be switched off under it', async () => {
    h = await harness('sqlite');
    const rule = segments('estimates.sendTime.slot >= 30 && estimates.sendTime.slot < 40');
    expect(problems(await putConfig(h, 'segments', rule))).toEqual([
      { field: 'audiences[0].when', message: 'The rule in `audiences[0].when` reads `estimates.sendTime`, and no send time is configured: it has no value for any subject, so the rule could not be evaluated for anyone. Name the engagement events that teach send time first (`engagement` of the send-time settings, e.g. [{ "event": "Email Opened" }]: PUT /v1/config/send-time, or the `sendTime` section of the config file).' },
    ]);
    // Settings without engagement events configure nothing.
    expect((await putConfig(h, 'send-time', { minEvents: 3 })).statusCode).toBe(200);
    expect(problems(await putConfig(h, 'segments', rule))[0].field).toBe('audiences[0].when');
    expect((await putConfig(h, 'send-time', SEND_TIME)).statusCode).toBe(200);
    expect((await putConfig(h, 'segments', rule)).statusCode).toBe(200);
    expect(problems(await putConfig(h, 'send-time', { minEvents: 3 }))).toEqual([
      { field: 'engagement', message: 'Send time is read by the segment `s0` (`audiences[0].when` of the segments, as `estimates.sendTime`): without `engagement` events no send time is estimated, and the rule could not be evaluated for any subject. Change that first, then remove the engagement events, or change both at once (PUT /v1/config).' },
    ]);
    // Other engagement events are still send time.
    expect((await putConfig(h, 'send-time', { engagement: [{ type: 'page' }] })).statusCode).toBe(200);
  });

  it('in a config file, stops the start unless the file (or the store) configures send time', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    try {
      const rule = segments('estimates.sendTime.value > 0.05');
      await expect(harness('sqlite', { store, config: { segments: rule } })).rejects.toThrow('The `segments` section of test-config is not valid: audiences[0].when: The rule in `audiences[0].when` reads `estimates.sendTime`, and no send time is configured');
      expect(await store.documents.latest('segments')).toBeUndefined();
      // The file's own send time counts, though its segments are written first.
      const first = await harness('sqlite', { store, config: { segments: rule, sendTime: SEND_TIME } });
      await first.close();
      await expect(harness('sqlite', { store, config: { segments: rule, sendTime: {} } })).rejects.toThrow('The `sendTime` section of test-config is not valid: engagement: Send time is read by the segment `s0`');
      expect((await store.documents.latest('send-time'))?.body).toEqual(SEND_TIME);
    } finally {
      await h?.close();
      h = undefined;
      await cleanup();
    }
  });
});
