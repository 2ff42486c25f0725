import { afterEach, describe, expect, it, vi } from 'vitest';
import { bearer, harness, KEYS, openTestStore } from '../../test/harness.js';
import { initialMonitorState, monitorStep } from '../measure/monitors/monitor.js';
import { monitorsKind } from './monitors-kind.js';
import { FETCH_BAD_PORTS } from './webhook.js';

const fields = (doc: Record<string, unknown>) => monitorsKind.check(doc).map((p) => p.field);

describe('the monitors document: significance levels', () => {
  it('refuses an alpha or clearAlpha of 0 or 1 (alpha 0 never alerts, clearAlpha 1 never resolves)', () => {
    expect(fields({ alpha: 0 })).toEqual(['alpha']);
    expect(fields({ alpha: 1 })).toEqual(['alpha']);
    expect(fields({ clearAlpha: 0 })).toEqual(['clearAlpha']);
    expect(fields({ clearAlpha: 1 })).toEqual(['clearAlpha']);
    expect(fields({ alpha: 0, clearAlpha: 1 })).toEqual(['alpha', 'clearAlpha']);
    expect(fields({ alpha: 0.01, clearAlpha: 0.2 })).toEqual([]);
  });

  it('refuses a clearAlpha below alpha, counting the defaults: an alert would resolve at the next step and fire again after the cool-down', () => {
    expect(fields({ alpha: 0.01, clearAlpha: 0.005 })).toEqual(['clearAlpha']);
    // alpha alone above the default clearAlpha (0.05)
    expect(fields({ alpha: 0.1 })).toEqual(['clearAlpha']);
    // clearAlpha alone below the default alpha (0.001)
    expect(fields({ clearAlpha: 0.0005 })).toEqual(['clearAlpha']);
    expect(fields({ alpha: 0.1, clearAlpha: 0.1 })).toEqual([]);
    expect(monitorsKind.check({ alpha: 0.1 })[0].message).toMatch(/clearAlpha.*alpha/);
  });
});

describe('the monitors document: webhook.url', () => {
  it('refuses a port fetch will not connect to: every attempt would fail ("bad port") and no alert would arrive', () => {
    const problems = monitorsKind.check({ webhook: { url: 'http://hooks.example.com:6666/tact' } });
    expect(problems.map((p) => p.field)).toEqual(['webhook.url']);
    expect(problems[0].message).toMatch(/port 6666/);
    expect(fields({ webhook: { url: 'https://hooks.example.com:10080/tact' } })).toEqual(['webhook.url']);
    expect(fields({ webhook: { url: 'https://hooks.example.com:8443/tact' } })).toEqual([]);
    expect(fields({ webhook: { url: 'http://127.0.0.1:9000/a' } })).toEqual([]);
  });

  it('refuses an address that is no URL at all', () => {
    expect(fields({ webhook: { url: 'http://[::1/tact' } })).toEqual(['webhook.url']);
    expect(fields({ webhook: { url: 'http://hooks.example.com:99999/tact' } })).toEqual(['webhook.url']);
  });

  it('blocks only ports this Node.js fetch refuses (the Fetch standard\'s "bad port" list, fetch.spec.whatwg.org#port-blocking)', async () => {
    // Each is refused before any connection is tried, so these fetches never leave the process.
    const refused = await Promise.all(FETCH_BAD_PORTS.map((port) => fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: 'x' }).then(() => '', (e: Error) => String((e.cause as Error | undefined)?.message))));
    expect(refused.every((m) => m === 'bad port')).toBe(true);
  });
});

describe('the monitors document: webhook.secretEnv', () => {
  afterEach(() => vi.unstubAllEnvs());
  const url = 'https://ops.example.com/hook';

  it('names a variable set in the server\'s environment, instead of a secret; not both, and not a variable that is not set', () => {
    vi.stubEnv('TACT_TEST_HOOK_SECRET', 'from-env');
    expect(fields({ webhook: { url, secretEnv: 'TACT_TEST_HOOK_SECRET' } })).toEqual([]);
    expect(monitorsKind.compile({ webhook: { url, secretEnv: 'TACT_TEST_HOOK_SECRET' } }).webhook).toMatchObject({ secretEnv: 'TACT_TEST_HOOK_SECRET', secret: undefined });
    const unset = monitorsKind.check({ webhook: { url, secretEnv: 'TACT_TEST_HOOK_UNSET' } });
    expect(unset).toEqual([{ field: 'webhook.secretEnv', message: expect.stringMatching(/`monitors.webhook.secretEnv` names `TACT_TEST_HOOK_UNSET`, which is not set in the server's environment/) }]);
    // Set but empty: no key to sign with.
    vi.stubEnv('TACT_TEST_HOOK_EMPTY', '');
    expect(fields({ webhook: { url, secretEnv: 'TACT_TEST_HOOK_EMPTY' } })).toEqual(['webhook.secretEnv']);
    const both = monitorsKind.check({ webhook: { url, secret: 'inline', secretEnv: 'TACT_TEST_HOOK_SECRET' } });
    expect(both.map((p) => p.field)).toEqual(['webhook.secretEnv']);
    expect(both[0].message).toMatch(/either .*secret.* or .*secretEnv/);
    expect(fields({ webhook: { url, secretEnv: 'not a name!' } })).toEqual(['webhook.secretEnv']);
  });
});

describe('the monitors document: windows', () => {
  it('refuses a baselineWindow shorter than the currentWindow while volume is watched: volume is judged against whole windows of history, so it would never alert', () => {
    const problems = monitorsKind.check({ currentWindow: '1h', baselineWindow: '30m' });
    expect(problems.map((p) => p.field)).toEqual(['baselineWindow']);
    expect(problems[0].message).toMatch(/`baselineWindow` \(30m\) must be at least the `currentWindow` \(1h\)/);
    // The defaults count: a currentWindow of 8 days against the default 7-day baseline.
    expect(fields({ currentWindow: '8d' })).toEqual(['baselineWindow']);
    expect(fields({ currentWindow: '1h', baselineWindow: '1h' })).toEqual([]);
    expect(fields({ currentWindow: '1h', baselineWindow: '30m', metrics: ['response-rate', 'negative-rate'] })).toEqual([]);
  });

  it('is what the step needs: with a baseline one window long, a tenfold surge of volume alerts', () => {
    const H = 3_600_000;
    const T0 = Date.UTC(2026, 5, 1);
    const at = (h: number, i: number, per: number) => ({ at: T0 + h * H + Math.floor((i * H) / per), type: 'exposure' as const, action: 'a', placement: 'p', segment: 'all' });
    const events = [...Array.from({ length: 6 }, (_, h) => Array.from({ length: 100 }, (_, i) => at(h, i, 100))).flat(), ...Array.from({ length: 1000 }, (_, i) => at(6, i, 1000))];
    const volume = (doc: Record<string, unknown>) => monitorStep(initialMonitorState(), events, T0 + 7 * H - 1, monitorsKind.compile(doc).config).alerts.map((a) => `${a.metric} ${a.direction}`);
    expect(volume({ bucket: '10m', currentWindow: '1h', baselineWindow: '1h' })).toEqual(['volume high']);
    // What the refused document did: the surge passed unseen.
    expect(volume({ bucket: '10m', currentWindow: '1h', baselineWindow: '30m' })).toEqual([]);
  });
});

describe('the monitors document: minRelativeChange', () => {
  it('refuses one above 1 while a metric that alerts low is watched: a drop must reach ×(1 − minRelativeChange), below zero, so not even volume falling to nothing would alert', () => {
    const problems = monitorsKind.check({ minRelativeChange: 2 });
    expect(problems.map((p) => p.field)).toEqual(['minRelativeChange']);
    expect(problems[0].message).toMatch(/`minRelativeChange` \(2\) must be at most 1/);
    expect(fields({ minRelativeChange: 1 })).toEqual([]);
    // The negative-outcome rate alerts only high: a ×3 spike threshold is fine there.
    expect(fields({ minRelativeChange: 2, metrics: ['negative-rate'] })).toEqual([]);
  });

  it('is what the step does: above 1, a key whose volume falls to nothing raises no alert', () => {
    const H = 3_600_000;
    const events = Array.from({ length: 600 }, (_, i) => ({ at: Math.floor((i * 6 * H) / 600), type: 'exposure' as const, action: 'a', placement: 'p', segment: 'all' }));
    const alerts = (doc: Record<string, unknown>) => monitorStep(initialMonitorState(), events, 7 * H - 1, monitorsKind.compile({ baselineWindow: '6h', metrics: ['volume'], ...doc }).config).alerts.map((a) => `${a.metric} ${a.direction}`);
    expect(alerts({ minRelativeChange: 1 })).toEqual(['volume low']);
    expect(alerts({ minRelativeChange: 1.5 })).toEqual([]);
  });
});

describe('the monitors document: metrics', () => {
  it('refuses an empty list, naming `metrics` and saying why: it would watch nothing, and no alert could ever fire', () => {
    const problems = monitorsKind.check({ metrics: [] });
    expect(problems).toEqual([{ field: 'metrics', message: expect.stringMatching(/`metrics` must name at least one metric.*watches nothing/) }]);
    expect(fields({ metrics: ['volume'] })).toEqual([]);
    expect(fields({})).toEqual([]);
  });

  it('is refused the same by the API (a 400 naming the field, nothing saved) and in a config file (the server does not start on it)', async () => {
    const h = await harness('sqlite');
    try {
      const put = await h.app.inject({ method: 'PUT', url: '/v1/config/monitors', headers: { authorization: bearer(KEYS.admin) }, payload: { document: { metrics: [] }, reason: 'test' } });
      expect(put.statusCode, put.body).toBe(400);
      expect(put.json().problems).toEqual([{ field: 'metrics', message: expect.stringMatching(/at least one metric/) }]);
      expect(h.tact.settings.version('monitors')).toBe(0);
    } finally {
      await h.close();
    }
    const { store, cleanup } = await openTestStore('sqlite');
    try {
      await expect(harness('sqlite', { store, config: { monitors: { metrics: [] } } })).rejects.toThrow(/`monitors` section of test-config is not valid: metrics: The `metrics` must name at least one metric/);
    } finally {
      await cleanup();
    }
  });
});
