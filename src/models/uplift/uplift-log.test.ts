import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { harness, send, type Harness } from '../../../test/harness.js';
import { decideReq } from '../../decide/test-http.js';
import type { Choice, DecisionRecord, ScoreTrace } from '../../decide/decision.js';
import { measureShop, seededTact } from '../../measure/simulation.js';
import { openSqliteStore, type SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { compareUpliftOnLog, valueOnLog } from './uplift-comparator.js';
import { type LoggedDecision, readDecisionLog } from './uplift-log.js';
import { UpliftScorer } from './uplift-model.js';
import { fitUplift } from './uplift-trainer.js';
import { knownUplift, simulateLog } from './simulated-log.js';

const DAY = 86_400_000;
const model = knownUplift;

/**
 * The shop of src/measure/simulation.ts (the shoes have two content variants) with an experiment
 * whose arm "pinned" shows the shoes' variant "a" to everyone, the other arm drawing one of the two.
 * With ε = 0.3 over K = 4 options (shoes score 2.8, socks 0.5, newsletter 0.025, none 0) the
 * logger shows the shoes with 0.7 + 0.3/4 = 0.775 and every other option with 0.075 (src/decide/
 * stages/selection.ts): each drawn variant with 0.3875, the pinned one with 0.775.
 */
const shop = measureShop({
  exploration: 0.3,
  experiments: { hero: { placement: 'home', arms: [{ id: 'drawn', weight: 1 }, { id: 'pinned', weight: 1, variant: { action: 'shoes', variant: 'a' } }] } },
});
/** Purchase probability of what was shown. */
const BUYS: Record<string, number> = { shoes: 0.3, socks: 0.1, newsletter: 0.02, none: 0 };
/** The logging policy's probability of showing each arm (an action, whichever variant). */
const LOGGING = new Map([['shoes', 0.775], ['socks', 0.075], ['newsletter', 0.075], ['none', 0.075]]);

describe('uplift learning reads an action with several content variants as one arm', () => {
  let h: Awaited<ReturnType<typeof seededTact>>;
  let rows: LoggedDecision[] = [];
  let realised = 0;
  const N = 2000;
  beforeAll(async () => {
    ({ h, rows, realised } = await simulateLog(shop, { seed: 11, outcomes: 12 }, BUYS, N));
  }, 180_000);
  afterAll(async () => h.close());

  it('the simulated log shows the shoes by both routes: a drawn variant, and the pinned one (the shape the tests below rely on)', async () => {
    const page = await h.tact.store.decisions.queryDecisions({ placement: 'home', limit: N });
    const shoes = page.map((d) => d.choices[0]).filter((c) => c.action === 'shoes');
    const near = (x: number, y: number) => Math.abs(x - y) < 1e-12;
    expect(shoes.filter((c) => near(c.propensity, 0.775 / 2)).length).toBeGreaterThan(500);
    expect(shoes.filter((c) => near(c.propensity, 0.775)).length).toBeGreaterThan(500);
    expect(rows.length).toBe(N);
  });

  it('gives each decision the probability its action was shown, the variant\'s share divided out', () => {
    // The arm is the action: a decision that drew one of the shoes' two variants logs 0.3875 (the
    // pick times ½), but the shoes were shown with 0.775 — as in the arm that pinned the variant.
    for (const r of rows) expect(r.propensity, r.arm).toBeCloseTo(LOGGING.get(r.arm)!, 12);
  });

  it('IPS and SNIPS of the comparator give the logging policy its realised average', () => {
    // IPS is unbiased when each logged arm carries the logging policy's probability of that arm
    // (Dudík, Langford & Li 2011, §2); the logging policy's own value, re-estimated with target =
    // logger, weighs every row by 1, so IPS and SNIPS are exactly the realised mean reward.
    const r = valueOnLog(rows, () => LOGGING, { rewardModel: new UpliftScorer(model({}), 1) });
    expect(r.estimates.ips?.value).toBeCloseTo(realised, 9);
    expect(r.estimates.snips?.value).toBeCloseTo(realised, 9);
  });

  it('estimates a version that always shows the shoes without bias: IPS and DR near their true purchase rate', () => {
    // The truth is BUYS.shoes = 0.3. IPS and DR are unbiased with the logging propensities (Dudík,
    // Langford & Li 2011, §2–3); each is checked within 4 of its bootstrap standard deviations
    // (the comparator's 95% interval spans 2 × 1.96 of them). With the variant's share left in,
    // IPS came out near 0.3 × 1.5 (half the shoes rows weighed twice).
    const ips = valueOnLog(rows, () => new Map([['shoes', 1]]), { rewardModel: new UpliftScorer(model({}), 1) }).estimates.ips!;
    expect(Math.abs(ips.value - BUYS.shoes)).toBeLessThan(4 * ips.sd);
    // The candidate's uplift for the shoes ((0.9 − 0.01) × 60) beats every logged score: it always
    // shows them. Its DR's reward model (0.9 for the shoes) is far off, so DR leans on the weights.
    const c = compareUpliftOnLog(rows, new UpliftScorer(model({ shoes: 0.9 }), 2), new UpliftScorer(model({ socks: 0.9 }), 1), { level: 0.9, maxWidth: 0.05, noneScore: 0 });
    const dr = c.figures.candidate.dr!;
    expect(Math.abs(dr.value - BUYS.shoes)).toBeLessThan((4 * (dr.ci[1] - dr.ci[0])) / (2 * 1.96));
  });
});

/** A logged decision at "home" under a catalog version, its first choice given. */
function logged(id: string, at: number, catalogVersion: number, choice: Partial<Choice>, scored: ScoreTrace[]): DecisionRecord {
  return {
    id, at, profileKey: `p-${id}`, subject: id, placement: 'home', channel: 'web', context: {}, policyVersion: 1, catalogVersion, modelVersion: 'beta-ladder@1',
    arm: 'treatment', choices: [{ rank: 1, kind: 'action', score: 1, propensity: 1, why: '', ...choice } as Choice], scored, excluded: [],
    facts: {}, absentFacts: [], operator: '', customer: '', excludedByStage: {},
  } as DecisionRecord;
}

describe('readDecisionLog reads each decision under the catalog version it was made with', () => {
  let store: SqliteStore;
  const T = Date.UTC(2026, 10, 1);
  const base = measureShop().catalog;
  const loan = { id: 'loan', name: 'Loan', channels: ['web'], value: 300, highStakes: true };
  beforeAll(async () => {
    store = await openSqliteStore({ path: ':memory:' });
    // v1: the newsletter is the safe default and the shoes have two variants; v2 (current): the socks, and three.
    await store.documents.put('catalog', { ...base, actions: [...base.actions, loan] }, { author: 'test', reason: 'v1' });
    const shoes3 = { ...base.actions[0], variants: [...(base.actions[0].variants ?? []), { id: 'c', content: { headline: 'Go' } }] };
    await store.documents.put('catalog', { actions: [shoes3, ...base.actions.slice(1), loan], placements: [{ ...base.placements[0], safeDefault: 'socks' }] }, { author: 'test', reason: 'v2' });
  });
  afterAll(async () => store.close());

  it('replays a pick of an action held for review as the safe default of the decision\'s catalog version, not the current one', async () => {
    // The loan awaits review; the socks were shown. Under v1 a pick of the loan would have shown the
    // newsletter (v1's safe default): that is what a version that picks the loan is credited with.
    const scored: ScoreTrace[] = [{ action: 'loan', score: 15, review: 'review' }, { action: 'shoes', score: 2.8 }, { action: 'socks', score: 0.5 }, { action: 'newsletter', score: 0.025 }];
    await store.decisions.appendDecision(logged('held-v1', T, 1, { action: 'socks', propensity: 0.06 }, scored));
    const rows = await readDecisionLog(store, { now: T + 8 * DAY, windowMs: 7 * DAY, sinceMs: 90 * DAY, max: 10 });
    expect(rows.map((r) => [r.record.id, r.arm, r.standIn])).toEqual([['held-v1', 'socks', 'newsletter']]);
  });

  it('divides out the variant\'s share among the variants of the decision\'s catalog version', async () => {
    // Under v1 the shoes had two variants: a decision that drew one logs half the action's 0.8.
    await store.decisions.appendDecision(logged('variant-v1', T + 1, 1, { action: 'shoes', variant: 'a', propensity: 0.4 }, [{ action: 'shoes', score: 2.8 }]));
    const rows = await readDecisionLog(store, { now: T + 8 * DAY, windowMs: 7 * DAY, sinceMs: 90 * DAY, max: 10 });
    expect(rows.find((r) => r.record.id === 'variant-v1')?.propensity).toBeCloseTo(0.8, 12);
  });

  it('reads every decision of a millisecond that holds more than a page of them', async () => {
    // Pages hold 2,000 decisions; 2,500 share one `at` (a batch run logs many in one millisecond).
    const at = T + 2 * DAY;
    for (let i = 0; i < 2500; i++) await store.decisions.appendDecision(logged(`same-${String(i).padStart(4, '0')}`, at, 1, { kind: 'none', propensity: 0.5 }, []));
    // Each decision is read from the log once: the pages go on after the last one read (the log's
    // cursor), not by reading the boundary's millisecond whole again (2,000 + 2,500 rows read).
    const query = store.decisions.queryDecisions.bind(store.decisions);
    const read = new Map<string, number>();
    const spy = vi.spyOn(store.decisions, 'queryDecisions').mockImplementation(async (q) => {
      const page = await query(q);
      for (const d of page) read.set(d.id, (read.get(d.id) ?? 0) + 1);
      return page;
    });
    const rows = await readDecisionLog(store, { now: T + 10 * DAY, windowMs: 7 * DAY, sinceMs: 90 * DAY, max: 100_000 }).finally(() => spy.mockRestore());
    expect(read.size).toBe(rows.length);
    expect([...read.values()].every((n) => n === 1)).toBe(true);
    const same = rows.filter((r) => r.record.at === at);
    expect(same.length).toBe(2500);
    expect(new Set(same.map((r) => r.record.id)).size).toBe(2500);
    expect(rows.length).toBe(2502);
  });
});

/** The QA reproduction's shop: one action, half the subjects in the holdout, a 20-second window. */
const config = {
  catalog: { actions: [{ id: 'a1', name: 'A1', channels: ['web'], value: 1 }], placements: [{ id: 'eg', name: 'EG', channel: 'web', slots: 1 }] },
  policy: {
    scoring: 'uplift',
    outcomes: { events: { 'Order Completed': { type: 'conversion' } }, rewards: { conversion: 1 }, attribution: { window: '20s', model: 'last' } },
    holdout: { share: 0.5 },
  },
};

describe('readDecisionLog joins a decision made before its subject had a profile to the profile\'s outcomes', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite', { config });
    // Decided for before any of their events arrived (no /v1/identify): logged under `anon:<subject>`.
    for (let i = 0; i < 120; i++) expect((await decideReq(h.app, { subject: `U1_${i}`, placement: 'eg' })).statusCode).toBe(200);
    // Then every subject converts: the track event creates its profile (userId U1_i).
    for (let i = 0; i < 120; i++) await send(h.app, '/v1/track', { userId: `U1_${i}`, event: 'Order Completed', messageId: `order-${i}` });
    await h.tact.consumers.runAll();
  }, 60_000);
  afterAll(async () => h.close());

  it('reads every subject\'s conversion, in the holdout ("none") and where a1 was shown, as the decision log credits it', async () => {
    const rows = await readDecisionLog(h.store, { now: Date.now() + 21_000, windowMs: 20_000, sinceMs: DAY, max: 1000 });
    expect(rows).toHaveLength(120);
    expect(rows.every((r) => r.record.profileKey.startsWith('anon:U1_'))).toBe(true);
    const arms = new Set(rows.map((r) => r.arm));
    expect(arms).toEqual(new Set(['none', 'a1']));
    // Every subject converted within seconds of its decision; until 2026-12-05 none of these was read
    // (outcomes were looked up under `anon:U1_i`, recorded under the profile): 0 positives in both arms.
    expect(rows.filter((r) => !r.followed.has('conversion')).map((r) => r.record.profileKey)).toEqual([]);
    // The decisions where a1 was shown have the conversion credited to them (what GET /v1/decisions/{id} shows).
    for (const r of rows.filter((x) => x.arm === 'a1')) {
      expect((await h.store.decisions.outcomesOf(r.record.id)).some((o) => o.type === 'conversion' && o.success)).toBe(true);
    }
  });

  it('trains on them: every row of each arm a positive', async () => {
    const rows = await readDecisionLog(h.store, { now: Date.now() + 21_000, windowMs: 20_000, sinceMs: DAY, max: 1000 });
    const { metrics } = fitUplift(rows, () => 'conversion', 20_000, { windowOf: () => 20_000, now: Date.now() + 21_000 });
    const a1 = (metrics.actions as Record<string, { rows: number; positives: number; noneRows: number; nonePositives: number }>).a1;
    expect(a1.positives).toBe(a1.rows);
    expect(a1.nonePositives).toBe(a1.noneRows);
    expect(a1.rows + a1.noneRows).toBe(120);
    expect(Math.min(a1.rows, a1.noneRows)).toBeGreaterThanOrEqual(30);
  });
});

describe('readDecisionLog joins a decision for a profile later merged away to the outcomes of the profile it joined', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite', { config });
    // Each customer has a profile by its user id (older), then a visitor profile by an anonymous id.
    for (let i = 0; i < 80; i++) await send(h.app, '/v1/track', { userId: `M_${i}`, event: 'Signed Up', messageId: `up-${i}` });
    for (let i = 0; i < 80; i++) await send(h.app, '/v1/track', { anonymousId: `v-${i}`, event: 'Product Viewed', messageId: `view-${i}` });
    // Decided for as the visitor: logged under the visitor's profile.
    for (let i = 0; i < 80; i++) expect((await decideReq(h.app, { subject: `v-${i}`, placement: 'eg' })).statusCode).toBe(200);
    // The visitor logs in: the two profiles merge, the older (the user id's) survives; then the order.
    for (let i = 0; i < 80; i++) await send(h.app, '/v1/identify', { userId: `M_${i}`, anonymousId: `v-${i}`, messageId: `login-${i}` });
    for (let i = 0; i < 80; i++) await send(h.app, '/v1/track', { userId: `M_${i}`, event: 'Order Completed', messageId: `order-m-${i}` });
    await h.tact.consumers.runAll();
  }, 60_000);
  afterAll(async () => h.close());

  it('reads every subject\'s conversion, in both arms, as the decision log credits it', async () => {
    const rows = await readDecisionLog(h.store, { now: Date.now() + 21_000, windowMs: 20_000, sinceMs: DAY, max: 1000 });
    expect(rows).toHaveLength(80);
    // Every decision is under a profile that has since merged away.
    const survivors = await Promise.all(rows.map(async (r) => (await h.store.profiles.getProfile(r.record.profileKey))?.id));
    expect(rows.every((r, i) => survivors[i] !== undefined && survivors[i] !== r.record.profileKey)).toBe(true);
    expect(new Set(rows.map((r) => r.arm))).toEqual(new Set(['none', 'a1']));
    // Until 2026-12-05 none of these was read: the orders are the survivors', the decisions the visitors'.
    expect(rows.filter((r) => !r.followed.has('conversion')).map((r) => r.record.profileKey)).toEqual([]);
    for (const r of rows.filter((x) => x.arm === 'a1')) {
      expect((await h.store.decisions.outcomesOf(r.record.id)).some((o) => o.type === 'conversion' && o.success)).toBe(true);
    }
  });
});
