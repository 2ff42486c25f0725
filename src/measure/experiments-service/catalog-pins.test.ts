import { describe, expect, it } from 'vitest';
import type { StoredDocument } from '../../config/document-store.js';
import { catalogKind } from '../../decide/kinds.js';
import { harness } from '../../../test/harness.js';
import { measureShop } from '../simulation.js';
import { experimentsKind } from './experiments-kind.js';

const shoes = { id: 'shoes', name: 'Shoes', channels: ['web'], variants: [{ id: 'a' }, { id: 'b' }] };
const socks = { id: 'socks', name: 'Socks', channels: ['web'] };
const catalogOf = (...actions: unknown[]) => ({ actions, placements: [{ id: 'home', channel: 'web', safeDefault: 'socks' }] });

/** The stored documents the checks read: the catalog and the experiments in force. */
function documents(stored: { catalog?: unknown; experiments?: unknown }) {
  const doc = (kind: string, body: unknown) => ({ kind, version: 3, body, author: 't', reason: 't', createdAt: 0 }) as StoredDocument<never>;
  return {
    get: async () => undefined,
    latest: async (kind: string) => (kind === 'catalog' && stored.catalog ? doc('catalog', stored.catalog) : kind === 'experiments' && stored.experiments ? doc('experiments', stored.experiments) : undefined),
  };
}

const pinning = (variant: { action: string; variant: string }, status?: 'stopped') => ({
  'hero-test': { placement: 'home', ...(status ? { status } : {}), arms: [{ id: 'control', weight: 1 }, { id: 'treat', weight: 1, variant }] },
});

describe("the catalog's write, against what the experiments in force pin", () => {
  it('refuses losing a running pin, not one the catalog in force already lacked (an experiment stored before pins were checked)', async () => {
    const lost = await catalogKind.checkStored!(catalogOf(socks) as never, documents({ catalog: catalogOf(shoes, socks), experiments: pinning({ action: 'shoes', variant: 'b' }) }));
    expect(lost.map((p) => p.field)).toEqual(['actions']);
    const lacked = await catalogKind.checkStored!(catalogOf(socks) as never, documents({ catalog: catalogOf(socks), experiments: pinning({ action: 'shoes', variant: 'b' }) }));
    expect(lacked).toEqual([]);
  });

  it('names the action\'s `variants` at its index in the catalog written', async () => {
    const p = await catalogKind.checkStored!(catalogOf(socks, { ...shoes, variants: [{ id: 'a' }] }) as never, documents({ catalog: catalogOf(shoes, socks), experiments: pinning({ action: 'shoes', variant: 'b' }) }));
    expect(p.map((x) => x.field)).toEqual(['actions[1].variants']);
  });

  it('reads experiments stored before they were checked without failing (what is not an arm is skipped)', async () => {
    const junk = { a: null, b: { arms: 'x' }, c: { arms: [null, 3, { id: 'z', variant: 'shoes' }, { id: 'y', variant: { action: 'shoes', variant: 'b' } }] } };
    expect((await catalogKind.checkStored!(catalogOf(socks) as never, documents({ catalog: catalogOf(shoes, socks), experiments: junk }))).map((p) => p.message)).toEqual([expect.stringContaining('pins in `c.arms[3].variant.action`')]);
  });

  it("warns of a stopped experiment's pin the catalog lacks on both sides, under one `between`", async () => {
    const stored = { catalog: catalogOf(socks), experiments: pinning({ action: 'shoes', variant: 'b' }, 'stopped') };
    const catalogSide = await catalogKind.warnStored!(catalogOf(socks) as never, documents(stored));
    const experimentsSide = await experimentsKind.warnStored!(stored.experiments, documents(stored));
    expect(await experimentsKind.checkStored!(stored.experiments, documents(stored))).toEqual([]);
    expect(catalogSide).toEqual([{ field: 'actions', between: 'catalog lacks hero-test.arms[1].variant.action', message: expect.stringContaining('the stopped experiment `hero-test`') }]);
    expect(experimentsSide).toEqual([{ field: 'hero-test.arms[1].variant.action', between: catalogSide[0].between, message: expect.stringContaining('restarting it is refused') }]);
  });

  it('says the contradiction once when the config file applies both sections', async () => {
    const h = await harness('sqlite', { config: measureShop({ experiments: pinning({ action: 'shoes', variant: 'b' }, 'stopped') }) });
    try {
      const shop = measureShop().catalog;
      const lines: string[] = [];
      // The file as it was, with the action removed and the stopped experiment changed (a new salt): both sections apply.
      const experiments = { 'hero-test': { ...pinning({ action: 'shoes', variant: 'b' }, 'stopped')['hero-test'], salt: 'again' } };
      const sections = { ...measureShop(), catalog: { ...shop, actions: shop.actions.filter((a) => a.id !== 'shoes') }, experiments };
      await h.tact.settings.applyFile({ path: 'tact.config.yaml', sections } as never, (_, msg) => lines.push(msg));
      expect(lines).toEqual([expect.stringMatching(/^The `catalog` and `experiments` sections of tact.config.yaml are applied with a warning: actions: The catalog no longer has the action `shoes`/)]);
    } finally {
      await h.close();
    }
  });
});
