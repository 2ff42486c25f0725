import { afterEach, describe, expect, it } from 'vitest';
import type { StoredDocument } from '../../config/document-store.js';
import { catalogKind } from '../../decide/kinds.js';
import { KEYS, bearer, harness, type Harness } from '../../../test/harness.js';
import { measureShop } from '../simulation.js';
import { experimentsKind, type ExperimentsBody } from './experiments-kind.js';

const placements = (...ids: string[]) => ({ actions: [{ id: 'socks', name: 'Socks', channels: ['web'] }], placements: ids.map((id) => ({ id, channel: 'web', safeDefault: 'socks' })) });

/** The stored documents the checks read: the catalog (version 3) and the experiments in force. */
function documents(stored: { catalog?: unknown; experiments?: unknown }) {
  const doc = (kind: string, body: unknown) => ({ kind, version: 3, body, author: 't', reason: 't', createdAt: 0 }) as StoredDocument<never>;
  return {
    get: async () => undefined,
    latest: async (kind: string) => (kind === 'catalog' && stored.catalog ? doc('catalog', stored.catalog) : kind === 'experiments' && stored.experiments ? doc('experiments', stored.experiments) : undefined),
  };
}

const at = (placement: string, status?: 'stopped'): ExperimentsBody => ({
  typo: { placement, ...(status ? { status } : {}), arms: [{ id: 'control', weight: 1 }, { id: 'treat', weight: 1 }] },
});

describe("an experiment's placement, against the catalog's placements", () => {
  it('refuses a running experiment at a placement the catalog lacks, naming `<id>.placement` and the closest placement', async () => {
    const p = await experimentsKind.checkStored!(at('hmoe'), documents({ catalog: placements('home', 'weekly-email') }));
    expect(p).toEqual([{ field: 'typo.placement', message: expect.stringContaining('names the placement `hmoe`, which the catalog (version 3) does not have') }]);
    expect(p[0].message).toContain('Did you mean `home`?');
    const far = await experimentsKind.checkStored!(at('checkout'), documents({ catalog: placements('home', 'weekly-email') }));
    expect(far[0].message).toContain("The catalog's placements are home, weekly-email.");
    const none = await experimentsKind.checkStored!(at('home'), documents({}));
    expect(none.map((x) => x.field)).toEqual(['typo.placement']);
    expect(none[0].message).toContain('no catalog is written yet');
    expect(await experimentsKind.checkStored!(at('home'), documents({ catalog: placements('home') }))).toEqual([]);
  });

  it("warns of a stopped experiment's placement the catalog lacks on both sides, under one `between`", async () => {
    const stored = { catalog: placements('weekly-email'), experiments: at('home', 'stopped') };
    expect(await experimentsKind.checkStored!(stored.experiments, documents(stored))).toEqual([]);
    const experimentsSide = await experimentsKind.warnStored!(stored.experiments, documents(stored));
    const catalogSide = await catalogKind.warnStored!(stored.catalog as never, documents(stored));
    expect(experimentsSide).toEqual([{ field: 'typo.placement', between: 'catalog lacks typo.placement', message: expect.stringContaining('restarting it is refused') }]);
    expect(catalogSide).toEqual([{ field: 'placements', between: experimentsSide[0].between, message: expect.stringContaining('The catalog no longer has the placement `home`, at which the stopped experiment `typo` ran') }]);
  });

  it('refuses a catalog that removes the placement of a running experiment, not one the catalog in force already lacked', async () => {
    const lost = await catalogKind.checkStored!(placements('weekly-email') as never, documents({ catalog: placements('home', 'weekly-email'), experiments: at('home') }));
    expect(lost).toEqual([{ field: 'placements', message: expect.stringContaining('The catalog no longer has the placement `home`, at which the running experiment `typo` runs (`typo.placement`)') }]);
    const lacked = await catalogKind.checkStored!(placements('weekly-email') as never, documents({ catalog: placements('weekly-email'), experiments: at('home') }));
    expect(lacked).toEqual([]);
  });

  describe('through the API and the config file', () => {
    let h: Harness | undefined;
    afterEach(async () => h?.close());
    const admin = { authorization: bearer(KEYS.admin) };

    it('answers a 400 naming `typo.placement` with a did-you-mean, where it was saved with no warning', async () => {
      h = await harness('sqlite', { config: measureShop() });
      const arms = [{ id: 'control', weight: 1 }, { id: 'treat', weight: 1, variant: { action: 'shoes', variant: 'b' } }];
      const r = await h.app.inject({ method: 'PUT', url: '/v1/config/experiments', headers: admin, payload: { document: { typo: { placement: 'hmoe', arms } }, reason: 't' } });
      expect(r.statusCode, r.body).toBe(400);
      expect(r.json().problems).toEqual([{ field: 'typo.placement', message: expect.stringContaining('Did you mean `home`?') }]);
      const ok = await h.app.inject({ method: 'PUT', url: '/v1/config/experiments', headers: admin, payload: { document: { typo: { placement: 'home', arms } }, reason: 't' } });
      expect([ok.statusCode, ok.json().warnings]).toEqual([200, []]);
    });

    it('takes a config file that adds the placement and its experiment together (the catalog is applied first)', async () => {
      const shop = measureShop();
      const catalog = { ...shop.catalog, placements: [...shop.catalog.placements, { id: 'banner', name: 'Banner', channel: 'web', slots: 1, safeDefault: 'newsletter' }] };
      h = await harness('sqlite', { config: { ...shop, catalog, experiments: at('banner') } });
      expect(h.tact.settings.get(experimentsKind).running.get('banner')?.id).toBe('typo');
    });

    it('refuses a catalog PUT that removes a running experiment\'s placement, and warns of a stopped one\'s on both sides', async () => {
      const shop = measureShop();
      const banner = { id: 'banner', name: 'Banner', channel: 'web', slots: 1, safeDefault: 'newsletter' };
      h = await harness('sqlite', { config: { ...shop, catalog: { ...shop.catalog, placements: [...shop.catalog.placements, banner] }, experiments: at('banner') } });
      const refused = await h.app.inject({ method: 'PUT', url: '/v1/config/catalog', headers: admin, payload: { document: shop.catalog, reason: 'drop banner' } });
      expect(refused.statusCode, refused.body).toBe(400);
      expect(refused.json().problems).toEqual([{ field: 'placements', message: expect.stringContaining('at which the running experiment `typo` runs') }]);
      const stop = await h.app.inject({ method: 'PUT', url: '/v1/config/experiments', headers: admin, payload: { document: at('banner', 'stopped'), reason: 'stop' } });
      expect(stop.statusCode, stop.body).toBe(200);
      const dropped = await h.app.inject({ method: 'PUT', url: '/v1/config/catalog', headers: admin, payload: { document: shop.catalog, reason: 'drop banner' } });
      expect(dropped.statusCode, dropped.body).toBe(200);
      expect(dropped.json().warnings).toEqual([{ field: 'placements', message: expect.stringContaining('the stopped experiment `typo` ran') }]);
      const experiments = await h.app.inject({ method: 'GET', url: '/v1/config/experiments', headers: admin });
      expect([experiments.json().problems, experiments.json().warnings]).toEqual([[], [{ field: 'typo.placement', message: expect.stringContaining('restarting it is refused') }]]);
      const restart = await h.app.inject({ method: 'PUT', url: '/v1/config/experiments', headers: admin, payload: { document: at('banner'), reason: 'restart' } });
      expect([restart.statusCode, restart.json().problems?.[0]?.field]).toEqual([400, 'typo.placement']);
    });
  });
});
