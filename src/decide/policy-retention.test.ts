import { afterEach, describe, expect, it } from 'vitest';
import { get, harness, openTestStore, type Harness } from '../../test/harness.js';
import { putConfig } from '../store/conformance/learn-helpers.js';
import type { Catalog } from './catalog.js';
import { shopCatalog, shopConfig, shopPolicy } from './fixtures.js';

const refused = async (r: { statusCode: number; body: string; json(): { problems?: { field: string; message: string }[] } }) => {
  expect(r.statusCode, r.body).toBe(400);
  return r.json().problems ?? [];
};

/** The shop's policy keeping the log `days` (its dismissals counted over 7 days, not 30, so that 10 days keep them). */
const keeping = (days?: number) => ({ ...shopPolicy(), contact: { ...shopPolicy().contact, dismissals: { count: 2, window: '7d' } }, ...(days ? { retention: { days } } : {}) });
const config = (days?: number, catalog = shopCatalog()) => ({ ...shopConfig(), policy: keeping(days), catalog });

/** The shop's catalog with the socks offer (actions[1]) credited over its own window. */
function socksCredited(window: string): Catalog {
  const c = shopCatalog();
  c.actions![1] = { ...c.actions![1], attributionWindow: window };
  return c;
}

/**
 * An action's own `attributionWindow` against the policy's `retention.days`: outcomes are credited
 * from the decision log, so a window longer than the log keeps credits nothing past the retention.
 * Until 2026-12-05 neither write compared them: with a retention of 10 days and a 30-day window, a
 * purchase 12 days after the decision was credited to nothing.
 */
describe('an action\'s attribution window longer than the policy\'s retention', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('is refused when the catalog is written, naming the action\'s window and the policy\'s retention', async () => {
    h = await harness('sqlite', { config: config(10) });
    expect(await refused(await putConfig(h, 'catalog', socksCredited('30d')))).toEqual([
      { field: 'actions[1].attributionWindow', message: 'The `actions[1].attributionWindow` (30 days) is longer than the decision log keeps: the policy\'s `retention.days` is 10 (policy version 1), so an outcome of `socks-offer` reported after 10 days would find its decision deleted and be credited to nothing. Shorten the window to at most 10 days, or raise the policy\'s `retention.days` to at least 30 first.' },
    ]);
    expect((await putConfig(h, 'catalog', socksCredited('10d'))).statusCode).toBe(200);
  });

  it('is refused against the default retention (400 days) when the policy sets none', async () => {
    h = await harness('sqlite', { config: shopConfig() });
    const problems = await refused(await putConfig(h, 'catalog', socksCredited('1000000d')));
    expect(problems.map((p) => p.field)).toEqual(['actions[1].attributionWindow']);
    expect(problems[0].message).toContain('the policy\'s `retention.days` is 400 by default');
    expect((await putConfig(h, 'catalog', socksCredited('400d'))).statusCode).toBe(200);
  });

  it('is refused when the policy is written, naming `retention.days` and the action', async () => {
    h = await harness('sqlite', { config: config(undefined, socksCredited('30d')) });
    expect(await refused(await putConfig(h, 'policy', keeping(10)))).toEqual([
      { field: 'retention.days', message: 'The `retention.days` (10) is shorter than the `attributionWindow` of the action `socks-offer` (30 days, `actions[1].attributionWindow` of the catalog version 1): the decision log would delete its decisions before their outcomes are credited, and an outcome reported after 10 days would be credited to nothing. Keep the log at least 30 days, or shorten the action\'s window first.' },
    ]);
    expect((await putConfig(h, 'policy', keeping(30))).statusCode).toBe(200);
  });

  it('in a config file, stops the start as the API refuses it; a file that shortens or lengthens both together applies', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    try {
      const both = config(10, socksCredited('30d'));
      // The policy is checked against the catalog the file applies with it (version 1, being applied).
      await expect(harness('sqlite', { store, config: both })).rejects.toThrow('The `policy` section of test-config is not valid: retention.days: The `retention.days` (10) is shorter than the `attributionWindow` of the action `socks-offer` (30 days, `actions[1].attributionWindow` of the catalog version 1)');
      h = await harness('sqlite', { store, config: config(40, socksCredited('30d')) });
      // The file shortens the window and the retention at once: the catalog is checked against the policy stored (40 days), the policy against the file's catalog.
      expect(await h.tact.settings.applyFile({ path: 'test-config', sections: config(10, socksCredited('10d')) })).toEqual(['catalog', 'policy']);
      expect((await get(h.app, '/v1/config/policy')).json().problems).toEqual([]);
      // And one that lengthens both at once (it was refused: the catalog was checked against the policy stored).
      expect(await h.tact.settings.applyFile({ path: 'test-config', sections: config(60, socksCredited('45d')) })).toEqual(['catalog', 'policy']);
      expect((await get(h.app, '/v1/config/policy')).json().problems).toEqual([]);
    } finally {
      await h?.close();
      h = undefined;
      await cleanup();
    }
  });
});
