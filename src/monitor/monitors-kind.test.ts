import { afterEach, describe, expect, it, vi } from 'vitest';
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
