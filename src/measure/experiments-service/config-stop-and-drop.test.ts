import { describe, expect, it } from 'vitest';
import { KEYS, bearer, harness, openTestStore } from '../../../test/harness.js';
import { measureShop } from '../simulation.js';

/**
 * docs/measure.md: a config file may stop an experiment and remove what it pins (or its placement)
 * at one start, each section being checked against the file as a whole (docs/configuration.md).
 * Until 2026-12-05 the doc and the 400's advice said such a file was refused ("stop it at one
 * start, change the catalog at the next").
 */
const shop = measureShop();
const withPromo = { ...shop.catalog, placements: [...shop.catalog.placements, { id: 'promo', name: 'Promo', channel: 'web', slots: 1 }] };
const experiments = (status: 'running' | 'stopped') => ({
  'hero-test': { placement: 'home', status, arms: [{ id: 'control', weight: 1 }, { id: 'treat', weight: 1, variant: { action: 'shoes', variant: 'b' } }] },
  'promo-test': { placement: 'promo', status, arms: [{ id: 'c', weight: 1 }, { id: 't', weight: 1 }] },
});
const withoutPins = {
  ...shop.catalog,
  actions: shop.catalog.actions.map((a) => (a.id === 'shoes' ? { ...a, variants: a.variants!.filter((v) => v.id !== 'b') } : a)),
};

describe('a config file that stops an experiment and removes what it pins', () => {
  it('is applied at one start: the experiments stopped, the variant and the placement gone', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    try {
      const first = await harness('sqlite', { store, config: { ...shop, catalog: withPromo, experiments: experiments('running') } });
      await first.close();
      const second = await harness('sqlite', { store, config: { ...shop, catalog: withoutPins, experiments: experiments('stopped') } });
      try {
        const catalog = (await store.documents.latest<typeof withoutPins>('catalog'))!.body;
        expect(catalog.actions.find((a) => a.id === 'shoes')!.variants!.map((v) => v.id)).toEqual(['a']);
        expect(catalog.placements.map((p) => p.id)).toEqual(['home']);
        const stored = (await store.documents.latest<ReturnType<typeof experiments>>('experiments'))!.body;
        expect([stored['hero-test'].status, stored['promo-test'].status]).toEqual(['stopped', 'stopped']);
      } finally {
        await second.close();
      }
    } finally {
      await cleanup();
    }
  });

  it("says so in the 400's advice when the API removes what a running experiment pins", async () => {
    const h = await harness('sqlite', { config: { ...shop, catalog: withPromo, experiments: experiments('running') } });
    try {
      const r = await h.app.inject({ method: 'PUT', url: '/v1/config/catalog', headers: { authorization: bearer(KEYS.admin) }, payload: { document: withoutPins, reason: 'test' } });
      expect(r.statusCode, r.body).toBe(400);
      const problems: { field: string; message: string }[] = r.json().problems;
      expect(problems.map((p) => p.field).sort()).toEqual(['actions[0].variants', 'placements']);
      for (const p of problems) {
        expect(p.message).toContain('PUT /v1/config, or a config file at a start, may do both at once: each document is checked against the others as they will be');
        expect(p.message).not.toMatch(/stop it at one start, change the catalog at the next/);
      }
    } finally {
      await h.close();
    }
  });
});
