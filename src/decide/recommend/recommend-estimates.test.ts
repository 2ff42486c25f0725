import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, send, type Harness } from '../../../test/harness.js';
import { post } from '../test-http.js';
import { wilsonInterval } from '../../measure/stats/proportion-intervals.js';

const config = {
  features: [{ name: 'viewed', kind: 'unique', event: 'Product Viewed', property: 'product_id', limit: 50 }],
  recommendations: {
    interactions: [{ event: 'Product Viewed', property: 'product_id' }],
    history: ['viewed'],
    algorithm: 'cooccurrence',
    items: { 'sku-shoe': { name: 'Trail shoe' }, 'sku-socks': { name: 'Running socks' }, 'sku-laces': { name: 'Laces' }, 'sku-cap': { name: 'Cap' } },
  },
  catalog: {
    actions: [{ id: 'newsletter', name: 'Newsletter', channels: ['web'] }],
    placements: [{ id: 'recs', channel: 'web', slots: 4, kind: 'recommendation' }],
  },
};

/** Who viewed what: shoes go with socks and laces; the cap is viewed alone but by the most. Ana viewed the shoe. */
const views: Record<string, string[]> = {
  u1: ['sku-shoe', 'sku-socks'], u2: ['sku-shoe', 'sku-socks'], u3: ['sku-shoe', 'sku-laces'], u4: ['sku-cap'], u5: ['sku-cap'], u6: ['sku-cap'], u7: ['sku-cap'], u9: ['sku-cap'], u8: ['sku-socks', 'sku-laces'], ana: ['sku-shoe'],
};
const Z90 = 1.6448536269514722;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** As a decision shows a number: to 12 significant digits (src/decide/view.ts). */
const shown = (x: number) => Number(x.toPrecision(12));

interface Est { value: number; low: number; high: number; level: number; evidence: number; source: string; status: string; modelVersion: string; updatedAt: string | null }
interface ItemChoice { item: string; score: number; estimate?: Est; explanation: string }
interface Reranked { id: string; score: number; affinity: number; affinityInterval?: { low: number; high: number; level: number; evidence: number } }

describe('the estimates of a recommendation decision', () => {
  let h: Harness;
  let dataTo: string;
  const decide = async (subject: string, context: Record<string, unknown> = {}) => (await post(h.app, '/v1/decide', { subject, placement: 'recs', n: 4, context })).json() as { choices: ItemChoice[] };
  const list = [{ id: 'sku-cap', relevance: 1 }, { id: 'sku-socks', relevance: 0.95 }, { id: 'sku-laces', relevance: 0.9 }, { id: 'sku-unknown', relevance: 0.5 }];
  beforeEach(async () => {
    h = await harness('sqlite', { config });
    const start = Date.now() - 3_600_000;
    let k = 0;
    for (const [u, items] of Object.entries(views)) for (const product_id of items) await send(h.app, '/v1/track', { userId: u, event: 'Product Viewed', properties: { product_id }, timestamp: new Date(start + k++ * 1000).toISOString() });
    await h.tact.learning.train(['recommendations']);
    dataTo = new Date((await h.tact.learning.registry.live('recommendations'))!.dataTo).toISOString();
  });
  afterEach(async () => h.close());

  it('gives a re-ranked item the affinity the model inferred, with its interval and evidence, beside the blend it is ordered by — as POST /v1/rerank shows it', async () => {
    const d = await decide('ana', { items: list });
    const rr = (await post(h.app, '/v1/rerank', { subject: 'ana', items: list })).json() as { items: Reranked[] };
    expect(d.choices.map((c) => c.item)).toEqual(rr.items.map((i) => i.id));
    const byId = new Map(rr.items.map((i) => [i.id, i]));
    // Until 2026-12-05 every re-ranked item's estimate was its blend as a point (low = high = value, level 0),
    // and "personal, established" for any affinity above 0.
    for (const c of d.choices) {
      expect(c.score, c.item).toBe(shown(byId.get(c.item)!.score));
      if (c.estimate) expect(c.estimate.level, c.item).toBe(0.9);
    }
    // The shoe is what ana viewed: her history leads to the socks and the laces.
    for (const id of ['sku-socks', 'sku-laces']) {
      const c = d.choices.find((x) => x.item === id)!;
      const r = byId.get(id)!;
      expect(r.affinity).toBeGreaterThan(0);
      expect(r.affinityInterval).toMatchObject({ level: 0.9, evidence: 1 });
      expect(c.estimate).toEqual({ value: shown(r.affinity), low: shown(r.affinityInterval!.low), high: shown(r.affinityInterval!.high), level: 0.9, evidence: 1, source: 'personal', status: 'learning', modelVersion: 'recommendations@1', updatedAt: dataTo });
      // One viewed item behind it: the bootstrap reads [0, 2·affinity], not a point — and so it is learning
      // (until 2026-12-06 [0, affinity] and "established").
      expect([c.estimate!.low, c.estimate!.high]).toEqual([0, shown(2 * r.affinity)]);
      expect(c.estimate!.value).not.toBe(c.score);
    }
    // Nothing in her history leads to the cap: the population's view of it, learning, with its real evidence.
    const cap = d.choices.find((x) => x.item === 'sku-cap')!;
    expect(byId.get('sku-cap')!.affinity).toBe(0);
    expect(byId.get('sku-cap')!.affinityInterval).toBeUndefined();
    const [low, high] = wilsonInterval(5, 10, Z90);
    expect(cap.estimate).toMatchObject({ value: 0.5, level: 0.9, evidence: 10, source: 'population', status: 'learning', updatedAt: dataTo });
    expect(cap.estimate!.low).toBeCloseTo(low, 12);
    expect(cap.estimate!.high).toBeCloseTo(high, 12);
    // An item the model does not know: nothing was inferred, so no estimate (not a made-up point).
    expect(d.choices.find((x) => x.item === 'sku-unknown')!.estimate).toBeUndefined();
  });

  it('for a subject with no history: the population\'s estimates, learning, with the trained subjects as evidence — never established', async () => {
    const d = await decide('stranger', { items: list });
    const known = d.choices.filter((c) => c.item !== 'sku-unknown');
    expect(known).toHaveLength(3);
    for (const c of known) {
      expect(c.estimate, c.item).toMatchObject({ source: 'population', status: 'learning', level: 0.9, evidence: 10, updatedAt: dataTo });
      expect(c.estimate!.high, c.item).toBeGreaterThan(c.estimate!.low);
    }
    expect(d.choices.find((c) => c.item === 'sku-unknown')!.estimate).toBeUndefined();
  });

  it('dates an estimate by when its evidence last changed — the model\'s data window, or the subject\'s newest view behind a personal one — not by when it was read', async () => {
    const first = await decide('ana');
    await sleep(20);
    const again = await decide('ana');
    const reList = await decide('ana', { items: list });
    await sleep(20);
    const reAgain = await decide('ana', { items: list });
    // Until 2026-12-05 each reading said its own time.
    expect(again.choices.map((c) => c.estimate?.updatedAt)).toEqual(first.choices.map((c) => c.estimate?.updatedAt));
    expect(reAgain.choices.map((c) => c.estimate?.updatedAt)).toEqual(reList.choices.map((c) => c.estimate?.updatedAt));
    expect(first.choices.map((c) => [c.estimate!.source, c.estimate!.updatedAt])).toEqual([['personal', dataTo], ['personal', dataTo], ['population', dataTo]]);
    const stranger = await decide('stranger');
    expect(stranger.choices.every((c) => c.estimate!.updatedAt === dataTo)).toBe(true);

    // Ana views the laces after the training: what her personal estimates rest on changed then; the
    // population's (the cap's share) rests on the training alone.
    const viewedAt = new Date(Date.parse(dataTo) + 5_000).toISOString();
    await send(h.app, '/v1/track', { userId: 'ana', event: 'Product Viewed', properties: { product_id: 'sku-laces' }, timestamp: viewedAt });
    const later = await decide('ana', { items: list });
    const at = new Map(later.choices.map((c) => [c.item, c.estimate]));
    expect(at.get('sku-socks')).toMatchObject({ source: 'personal', updatedAt: viewedAt });
    expect(at.get('sku-cap')).toMatchObject({ source: 'population', updatedAt: dataTo });
  });
});
