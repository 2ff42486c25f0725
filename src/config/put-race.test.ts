import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KEYS, bearer, get, harness, type Harness } from '../../test/harness.js';

const features = [
  { name: 'orders', kind: 'count', event: 'Order Completed' },
  { name: 'views', kind: 'count', event: 'Product Viewed' },
];
const everyone = { stages: [{ name: 'all', when: 'true' }] };
const readsOrders = { stages: [{ name: 'buyer', when: 'features.orders >= 2.0' }, { name: 'prospect', when: 'true' }] };

/**
 * Two changes at once, each checked against the other kinds as stored: a change reading what the
 * other removes must not be taken beside it. The window is the change's own wait between its checks
 * and its write (the ingestor's queue held, a features change's checkpoint): held open here by a
 * hook, as a slow checkpoint or another process's change on PostgreSQL holds it.
 */
describe('changes made at once, each reading what the other writes', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness('sqlite', { config: { features, lifecycle: everyone } });
  });
  afterEach(async () => h.close());

  const put = (kind: string, payload: object) => h.app.inject({ method: 'PUT', url: `/v1/config/${kind}`, headers: { authorization: bearer(KEYS.admin) }, payload });

  /** Holds the first change of `kind` between its checks and its write until released. */
  function holdFirst(kind: string): { reached: Promise<void>; release: () => void } {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let reached!: () => void;
    const at = new Promise<void>((r) => (reached = r));
    let held = false;
    h.tact.settings.beforeChange(async (k) => {
      if (k !== kind || held) return;
      held = true;
      reached();
      await gate;
    });
    return { reached: at, release };
  }

  it('refuses the removal of a feature once a rule reading it was taken meanwhile: checked again, not written against what it was checked at', async () => {
    const gate = holdFirst('features');
    // The removal of `orders`: checked while no rule reads it, then held before its write.
    const removal = put('features', { document: [features[1]], reason: 'orders no longer counted' });
    await gate.reached;
    // Meanwhile a rule reading `orders` is checked against the features stored (which have it) and taken.
    const rule = await put('lifecycle', { document: readsOrders, reason: 'buyers by orders' });
    expect(rule.statusCode).toBe(200);
    gate.release();
    const r = await removal;
    // Checked again against the configuration in force: the rule now reads the feature it removes.
    expect([r.statusCode, r.json().error]).toEqual([400, 'validation_failed']);
    expect(r.json().message).toMatch(/orders/);
    const stored = (await get(h.app, '/v1/config/features')).json();
    expect(stored.body.map((f: { name: string }) => f.name)).toEqual(['orders', 'views']);
    // Nothing in force reads what is not there.
    expect((await get(h.app, '/v1/config/lifecycle')).json().problems).toEqual([]);
  });

  it('writes a change checked again when another that does not touch it came first', async () => {
    const gate = holdFirst('features');
    const adding = put('features', { document: [...features, { name: 'spend', kind: 'sum', event: 'Order Completed', property: 'revenue' }], reason: 'spend' });
    await gate.reached;
    const before = (await get(h.app, '/v1/config')).json().epoch;
    expect((await put('lifecycle', { document: readsOrders, reason: 'buyers by orders' })).statusCode).toBe(200);
    gate.release();
    const r = await adding;
    expect([r.statusCode, r.json().version]).toEqual([200, 2]);
    // Written after the other change, at the epoch after it.
    expect(r.json().epoch).toBe(before + 2);
  });

  it('answers 409 and writes nothing when other changes keep coming between its checks and its write (five tries)', async () => {
    let tries = 0;
    h.tact.settings.beforeChange(async (k) => {
      if (k !== 'features') return;
      tries++;
      await h.store.documents.put('segments', { audiences: [] }, { author: 'other', reason: `meanwhile ${tries}` });
    });
    const r = await put('features', { document: [features[1]], reason: 'orders no longer counted' });
    expect([r.statusCode, r.json().error, tries]).toEqual([409, 'conflict', 5]);
    expect(r.json().message).toMatch(/^The configuration changed while this change was checked against it \(epoch \d+, not \d+\); nothing of it was written/);
    expect((await get(h.app, '/v1/config/features')).json().version).toBe(1);
  });
});
