import { afterEach, describe, expect, it } from 'vitest';
import { harness, send, type Harness } from '../../test/harness.js';
import { putConfig } from '../store/conformance/learn-helpers.js';
import type { Catalog } from './catalog.js';
import { checkCatalog } from './catalog.js';
import { shopCatalog, shopFeatures, shopPolicy } from './fixtures.js';
import { advertising, decideReq } from './test-http.js';

/** The shop's catalog with the home page's safe default changed. */
function withSafeDefault(safeDefault: string, change: (c: Catalog) => void = () => {}): Catalog {
  const c = shopCatalog();
  c.placements![0].safeDefault = safeDefault;
  change(c);
  return c;
}

describe('a placement\'s safe default that could never stand in there', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('is checked against the actions whose ids are ids: one given as an object is refused at its own field, not a 500 (fuzz, seed 17218)', () => {
    // The safe default's "did you mean" compared it with every competing action's id as text: an id
    // given as `{}` threw there (k.toLowerCase is not a function) and the PUT answered 500.
    const problems = checkCatalog(withSafeDefault('socks-ofer', (c) => ((c.actions![4] as { id: unknown }).id = {})));
    expect(problems.map((p) => p.field)).toEqual(['actions[4].id', 'placements[0].safeDefault']);
    expect(problems[1].message).toBe('The `placements[0].safeDefault` must be "none" or an action id of the catalog: did you mean `socks-offer`?');
  });

  it('is refused, naming `placements[i].safeDefault`: not on the placement\'s channel, not among its actions or topics, or itself high-stakes', () => {
    const email = withSafeDefault('digest', (c) => c.actions!.push({ id: 'digest', name: 'Weekly digest', channels: ['email'], topics: ['content'] }));
    expect(checkCatalog(email)).toEqual([{
      field: 'placements[0].safeDefault',
      message: 'The `placements[0].safeDefault` `digest` is not delivered on the placement\'s channel `web` (its channels: email): it never competes at `home`, so a choice held for review there would get nothing. The actions that compete at `home` are shoes-offer, socks-offer, service-followup, loan-offer, newsletter.',
    }]);
    const notListed = withSafeDefault('newsletter', (c) => (c.placements![0].actions = ['shoes-offer', 'loan-offer']));
    expect(checkCatalog(notListed)).toEqual([{
      field: 'placements[0].safeDefault',
      message: 'The `placements[0].safeDefault` `newsletter` is not among the placement\'s `actions`: it never competes at `home`, so a choice held for review there would get nothing. The actions that compete at `home` are shoes-offer, loan-offer.',
    }]);
    const offTopic = withSafeDefault('newsletter', (c) => (c.placements![0].topics = ['marketing', 'finance']));
    expect(checkCatalog(offTopic)).toEqual([{
      field: 'placements[0].safeDefault',
      message: 'The `placements[0].safeDefault` `newsletter` has none of the placement\'s `topics` (marketing, finance): it never competes at `home`, so a choice held for review there would get nothing. The actions that compete at `home` are shoes-offer, socks-offer, loan-offer.',
    }]);
    expect(checkCatalog(withSafeDefault('loan-offer'))).toEqual([{
      field: 'placements[0].safeDefault',
      message: 'The `placements[0].safeDefault` `loan-offer` is high-stakes: it would wait for a review itself, so a choice held for review at `home` would get nothing. A safe default must be deliverable without one.',
    }]);
    // A misspelt one is named with the closest action that competes there.
    expect(checkCatalog(withSafeDefault('newsleter'))).toEqual([{ field: 'placements[0].safeDefault', message: 'The `placements[0].safeDefault` must be "none" or an action id of the catalog: did you mean `newsletter`?' }]);
    // What can stand in is taken: an action that competes there, or "none".
    expect(checkCatalog(withSafeDefault('socks-offer'))).toEqual([]);
    expect(checkCatalog(withSafeDefault('none'))).toEqual([]);
  });

  it('is refused when the catalog is written: saved, the held loan offer would leave the subject nothing', async () => {
    h = await harness('sqlite', { config: { features: shopFeatures } });
    const email = withSafeDefault('digest', (c) => c.actions!.push({ id: 'digest', name: 'Weekly digest', channels: ['email'], topics: ['content'] }));
    const r = await putConfig(h, 'catalog', email);
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().problems.map((p: { field: string }) => p.field)).toEqual(['placements[0].safeDefault']);
    // The shop's own (the newsletter, on the web) stands in for the held loan.
    expect((await putConfig(h, 'catalog', shopCatalog())).statusCode).toBe(200);
    expect((await putConfig(h, 'policy', shopPolicy())).statusCode).toBe(200);
    await send(h.app, '/v1/identify', { userId: 'fin', traits: { segment: 'finance' }, context: advertising });
    expect((await decideReq(h.app, { subject: 'fin', placement: 'home' })).json().choices[0]).toMatchObject({ kind: 'action', action: 'newsletter', held: { action: 'loan-offer' } });
  });
});
