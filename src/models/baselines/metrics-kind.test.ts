import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, get, harness, type Harness } from '../../../test/harness.js';
import { putConfig } from '../../store/conformance/learn-helpers.js';
import { metricsKind } from './metrics-kind.js';

describe('a metric with a key it does not take', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('is a 400 naming the field, the key it likely means and the metric\'s keys; nothing is stored', async () => {
    h = await harness('sqlite');
    // A misspelt `property` was refused only as a missing property, the misspelling unnamed; a misspelt
    // `cadence` was saved and ignored (an hourly sensor baselined as irregular events). Both are named now.
    const r = await putConfig(h, 'metrics', [{ name: 'session_length', event: 'Session Ended', propety: 'duration' }, { name: 'temp', event: 'Reading', property: 'celsius', cadense: 'hourly' }]);
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().problems).toEqual([
      { field: 'metrics[0].property', message: 'The `metrics[0].property` must be the property path of the reading, e.g. "duration".' },
      { field: 'metrics[0].propety', message: 'The `metrics[0].propety` field is not one Tact knows here. Did you mean `property`? The fields are name, event, property, cadence, anomalyLevel, staleAfter, description.' },
      { field: 'metrics[1].cadense', message: 'The `metrics[1].cadense` field is not one Tact knows here. Did you mean `cadence`? The fields are name, event, property, cadence, anomalyLevel, staleAfter, description.' },
    ]);
    expect((await get(h.app, '/v1/config/metrics', KEYS.admin)).json().version).toBe(0);
  });

  it('takes the keys it reads', () => {
    expect(metricsKind.check([{ name: 'temp', event: 'Reading', property: 'celsius', cadence: 'hourly', anomalyLevel: 0.99, staleAfter: '2d', description: 'room' }])).toEqual([]);
  });

  it('in a config file, stops the start', async () => {
    await expect(harness('sqlite', { config: { metrics: [{ name: 'session_length', event: 'Session Ended', property: 'duration', staleAftr: '7d' }] } }))
      .rejects.toThrow(/The `metrics` section of test-config is not valid: metrics\[0\]\.staleAftr: .*Did you mean `staleAfter`\?/);
  });
});

describe('a metric that could never read or never be established', () => {
  const base = { name: 'm', event: 'E', property: 'v' };
  it('is refused with an empty part in its property path ("a..b" read nothing, silently)', () => {
    for (const property of ['a..b', '.a', 'a.', 'a. .b']) {
      expect(metricsKind.check([{ ...base, property }]), property).toEqual([{ field: 'metrics[0].property', message: expect.stringContaining('empty part between dots') }]);
    }
    expect(metricsKind.check([{ ...base, property: 'order.total' }])).toEqual([]);
  });

  it('is refused with a `staleAfter` under a day ("1s" made it stale at every later hour)', () => {
    for (const staleAfter of ['1s', '59m', '1h', '23h']) {
      expect(metricsKind.check([{ ...base, staleAfter }]), staleAfter).toEqual([{ field: 'metrics[0].staleAfter', message: expect.stringContaining('at least "1d"') }]);
    }
    for (const staleAfter of ['1d', '24h', '36h', '30d']) expect(metricsKind.check([{ ...base, staleAfter }]), staleAfter).toEqual([]);
  });
});
