import { afterEach, describe, expect, it } from 'vitest';
import { get, harness, openTestStore, type Harness } from '../../test/harness.js';
import { EMAIL_OPEN_RATE, emailExposure } from '../models/rates/email-fixture.js';
import { putConfig } from '../store/conformance/learn-helpers.js';

const METRIC = { name: 'session_length', event: 'Session Ended', property: 'duration' };
const segments = (...when: string[]) => ({ audiences: when.map((w, i) => ({ name: `s${i}`, when: w })) });

// A rule on a rate or a metric not configured failed for every subject ("No such key: nope") and
// left everyone out; until 2026-12-06 it was taken when written (docs/configuration.md, rule names).
describe('a segment rule on an estimate no rate or metric is configured for', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('is a 400 naming the rule, the unknown name and the names configured; nothing is stored', async () => {
    h = await harness('sqlite', { config: { rates: [EMAIL_OPEN_RATE], metrics: [METRIC] } });
    const r = await putConfig(h, 'segments', segments('estimates.rates.email_open.value > 0.3', 'estimates.rates.nope.value > 0.3 || estimates.rates.email_opn.low > 0.1'));
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().problems).toEqual([
      { field: 'audiences[1].when', message: 'The rule in `audiences[1].when` reads `estimates.rates.nope`, which is not a configured rate (`rates`). The rates are email_open.' },
    ]);
    // The closest configured name, and a metric's baseline.
    expect((await putConfig(h, 'segments', segments('estimates.rates.email_opn.low > 0.1'))).json().problems[0].message)
      .toBe('The rule in `audiences[0].when` reads `estimates.rates.email_opn`, which is not a configured rate (`rates`): did you mean `estimates.rates.email_open`? The rates are email_open.');
    expect((await putConfig(h, 'segments', segments('has(estimates.baselines.session) && estimates.baselines.session.value > 60.0'))).json().problems)
      .toEqual([{ field: 'audiences[0].when', message: 'The rule in `audiences[0].when` reads `estimates.baselines.session`, which is not a configured metric (`metrics`). The metrics are session_length.' }]);
    expect((await get(h.app, '/v1/segments')).json().segments).toEqual([]);
  });

  it('with none configured, says so', async () => {
    h = await harness('sqlite');
    const r = await putConfig(h, 'segments', segments('estimates.rates.email_open.value > 0.3', 'estimates.baselines["session_length"].high < 10.0'));
    expect(r.json().problems).toEqual([
      { field: 'audiences[0].when', message: 'The rule in `audiences[0].when` reads `estimates.rates.email_open`, which is not a configured rate (`rates`). No rates are defined.' },
      { field: 'audiences[1].when', message: 'The rule in `audiences[1].when` reads `estimates.baselines.session_length`, which is not a configured metric (`metrics`). No metrics are defined.' },
    ]);
  });

  it('in a config file, stops the start; the file\'s own rates and metrics count, though its segments are written first', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    try {
      await expect(harness('sqlite', { store, config: { rates: [EMAIL_OPEN_RATE], segments: segments('estimates.rates.nope.value > 0.3') } }))
        .rejects.toThrow('The `segments` section of test-config is not valid: audiences[0].when: The rule in `audiences[0].when` reads `estimates.rates.nope`, which is not a configured rate (`rates`). The rates are email_open.');
      h = await harness('sqlite', { store, config: { rates: [EMAIL_OPEN_RATE], metrics: [METRIC], segments: segments('estimates.rates.email_open.value > 0.3 && estimates.baselines.session_length.evidence >= 0') } });
      expect((await get(h.app, '/v1/segments')).json().segments.map((s: { name: string }) => s.name)).toEqual(['s0']);
    } finally {
      await h?.close();
      h = undefined;
      await cleanup();
    }
  });

  it('on a rate configured but not trained yet, is taken with a warning naming the rule, until a trained model holds the rate', async () => {
    const t = (h = await harness('sqlite', { config: { rates: [EMAIL_OPEN_RATE], metrics: [METRIC] } }));
    const doc = segments('estimates.rates.email_open.value > 0.3 && estimates.rates.email_open.low > 0.1', 'estimates.baselines.session_length.value > 60.0');
    const r = await putConfig(t, 'segments', doc);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().warnings).toEqual([
      { field: 'audiences[0].when', message: 'The rule in `audiences[0].when` reads `estimates.rates.email_open`, and no trained rates model holds that rate yet: until one does (the training schedule, or POST /v1/models/rates/train), it is estimated with the default ladder (a uniform prior, default pooling) over the events counted so far. The segment is taken.' },
      { field: 'audiences[1].when', message: expect.stringMatching(/^The rule in `audiences\[1\]\.when` reads `estimates\.baselines\.session_length`, and no trained baselines model holds that metric yet: .*one with none has no value/) },
    ]);
    for (let u = 0; u < 6; u++) for (let k = 0; k < 4; k++) await emailExposure(t, u, k);
    const [trained] = await t.tact.learning.train(['rates'], 'test');
    expect(trained).toMatchObject({ model: 'rates', version: 1 });
    expect(await t.tact.learning.registry.store.live('rates')).toMatchObject({ version: 1 });
    // The stored version now warns of the metric alone.
    const shown = (await get(t.app, '/v1/config/segments')).json();
    expect(shown.warnings.map((w: { field: string }) => w.field)).toEqual(['audiences[1].when']);
  });
});
