import { describe, expect, it } from 'vitest';
import type { StoredDocument } from '../../config/document-store.js';
import { catalogKind } from '../../decide/kinds.js';
import { KEYS, bearer, harness } from '../../../test/harness.js';
import { measureShop } from '../simulation.js';
import { experimentsKind } from './experiments-kind.js';
import { unapprovedBetween } from './arm-pins.js';

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
      await h.tact.settings.applyFile({ path: 'test-config', sections } as never, (_, msg) => lines.push(msg));
      expect(lines).toEqual([expect.stringMatching(/^The `catalog` and `experiments` sections of test-config are applied with a warning: actions: The catalog no longer has the action `shoes`/)]);
    } finally {
      await h.close();
    }
  });

  it('says a pinned variant turned back to draft once when the config file applies both sections', async () => {
    const running = pinning({ action: 'shoes', variant: 'b' });
    const h = await harness('sqlite', { config: measureShop({ experiments: running }) });
    try {
      const shop = measureShop().catalog;
      const lines: string[] = [];
      const draft = shop.actions.map((a) => (a.id === 'shoes' ? { ...a, variants: a.variants!.map((v) => (v.id === 'b' ? { ...v, status: 'draft' as const } : v)) } : a));
      const experiments = { 'hero-test': { ...running['hero-test'], salt: 'again' } };
      await h.tact.settings.applyFile({ path: 'test-config', sections: { ...measureShop(), catalog: { ...shop, actions: draft }, experiments } } as never, (_, msg) => lines.push(msg));
      expect(lines).toEqual([expect.stringMatching(/^The `catalog` and `experiments` sections of test-config are applied with a warning: actions\[0\]\.variants\[1\]\.status: The variant `b` of the action `shoes` is draft/)]);
    } finally {
      await h.close();
    }
  });

  it.each(['draft', 'rejected'] as const)("warns, in the catalog's own PUT answer and read, of a variant a running experiment pins that it turns back to %s", async (status) => {
    const running = pinning({ action: 'shoes', variant: 'b' });
    const h = await harness('sqlite', { config: measureShop({ experiments: running }) });
    try {
      const admin = { authorization: bearer(KEYS.admin) };
      const shop = measureShop().catalog;
      const unapproved = shop.actions.map((a) => (a.id === 'shoes' ? { ...a, variants: a.variants!.map((v) => (v.id === 'b' ? { ...v, status } : v)) } : a));
      const put = await h.app.inject({ method: 'PUT', url: '/v1/config/catalog', headers: admin, payload: { document: { ...shop, actions: unapproved }, reason: 'test' } });
      expect(put.statusCode, put.body).toBe(200);
      const said = { field: 'actions[0].variants[1].status', message: expect.stringContaining(`The variant \`b\` of the action \`shoes\` is ${status}, and the running experiment \`hero-test\` pins it in \`hero-test.arms[1].variant.variant\`: only approved variants are shown`) };
      expect(put.json().warnings).toEqual([said]);
      const read = await h.app.inject({ method: 'GET', url: '/v1/config/catalog', headers: admin });
      expect(read.json().warnings).toEqual([said]);
      // The experiments' side says it too (arm-pins.ts `catalogPinWarnings`).
      const experiments = await h.app.inject({ method: 'GET', url: '/v1/config/experiments', headers: admin });
      expect(experiments.json().warnings).toEqual([{ field: 'hero-test.arms[1].variant.variant', message: expect.stringContaining(`which is ${status} in the catalog`) }]);
      // Under the `between` a config file says a contradiction once by.
      const stored = { catalog: { ...shop, actions: unapproved }, experiments: running };
      expect((await catalogKind.warnStored!(stored.catalog as never, documents(stored))).map((w) => w.between)).toEqual([unapprovedBetween('hero-test.arms[1]')]);
      // Approved again: nothing to say.
      const approved = await h.app.inject({ method: 'PUT', url: '/v1/config/catalog', headers: admin, payload: { document: shop, reason: 'approve' } });
      expect([approved.statusCode, approved.json().warnings]).toEqual([200, []]);
    } finally {
      await h.close();
    }
  });

  it("says nothing of a stopped experiment's pin of an unapproved variant: it decides nothing", async () => {
    const stored = { catalog: catalogOf({ ...shoes, variants: [{ id: 'a' }, { id: 'b', status: 'draft' }] }, socks), experiments: pinning({ action: 'shoes', variant: 'b' }, 'stopped') };
    expect(await catalogKind.warnStored!(stored.catalog as never, documents(stored))).toEqual([]);
  });
});
