import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, send, type Harness } from '../../../test/harness.js';
import { shopConfig } from '../fixtures.js';
import { advertising, decideReq, post } from '../test-http.js';

/**
 * Through POST /v1/decide: the estimate of "Running shoes offer" for Ana climbs the granularity
 * ladder as outcomes accrue — population first, then her segment (other runners' outcomes), then
 * personal (her own) — and each explanation names the rung and its evidence.
 */
describe('the granularity ladder in decisions', () => {
  let h: Harness;
  const config = {
    ...shopConfig({ estimates: { priorMean: 0.05, priorStrength: 20, groupStrength: 20, personalStrength: 8, minDataWeight: 0.2 } }),
    segments: { audiences: [{ name: 'runners', when: 'has(traits.club) && traits.club == "runners"' }] },
  };
  beforeEach(async () => {
    h = await harness('sqlite', { config });
    for (const u of ['ana', 'bo', 'cy', 'di', 'ed', 'fa']) await send(h.app, '/v1/identify', { userId: u, traits: { club: 'runners' }, context: advertising });
    await send(h.app, '/v1/identify', { userId: 'zed', context: advertising });
    await h.tact.consumers.runAll();
  });
  afterEach(async () => h.close());

  const shoes = async (subject: string) => {
    const d = (await decideReq(h.app, { subject, placement: 'home' })).json();
    expect(d.choices[0].action).toBe('shoes-offer');
    return d;
  };
  const convert = async (d: { decisionId: string }, id: string) => {
    const r = await post(h.app, '/v1/outcomes', { decisionId: d.decisionId, type: 'conversion', action: 'shoes-offer', value: 60, messageId: id });
    expect(r.statusCode, r.body).toBe(200);
  };

  it('moves an estimate from population to segment to personal as outcomes accrue, and says so', async () => {
    const first = await shoes('ana');
    expect(first.choices[0].estimate).toMatchObject({ source: 'population', evidence: 0 });
    expect(first.choices[0].explanation).toContain('(population, learning, not enough data yet, n=0)');
    const logged = await h.store.decisions.getDecision(first.decisionId);
    expect(logged).toMatchObject({ segment: 'runners', microSegment: null });

    // Eight offers to the other runners, six converted: the runners' segment earns its rung. Ana's
    // personal rung is not earned (one trial), so the segment is read as logged, her offer in it.
    // κ_eff = min(20, α+β of the population posterior = 20 + 9) = 20; 9 trials carry 9/29 ≥ 0.2 of it.
    for (let i = 0; i < 8; i++) {
      const d = await shoes(['bo', 'cy', 'di', 'ed', 'fa'][i % 5]);
      if (i < 6) await convert(d, `seg-${i}`);
    }
    const seg = await shoes('ana');
    expect(seg.choices[0].estimate).toMatchObject({ source: 'segment', evidence: 9 });
    // All nine inside their 7-day windows, and said so (since 2026-12-06).
    expect(seg.choices[0].explanation).toMatch(/\(segment, [^)]*n=9, 9 inside their windows\)/);
    expect(seg.explanation.ladder).toEqual({ segment: 'runners', microSegment: null, microSegmentModel: null });
    // someone outside the segment stays on the population rung
    const outsider = await shoes('zed');
    expect(outsider.choices[0].estimate.source).toBe('population');
    expect((await h.store.decisions.getDecision(outsider.decisionId))?.segment).toBeNull();

    // Ana's own conversions: with personal strength 8, her two trials carry 2/10 ≥ 0.2 — personal.
    await convert(seg, 'ana-1');
    await convert(first, 'ana-0');
    const personal = await shoes('ana');
    expect(personal.choices[0].estimate).toMatchObject({ source: 'personal', evidence: 2 });
    // Both her choices converted inside their windows, which are still open: said at her own rung too (since 2026-12-06 late evening).
    expect(personal.choices[0].explanation).toMatch(/\(personal, [^)]*n=2, 2 inside their windows\)/);
  });

  it('rebuilds the segment counts from the log after a restart, and credits a later success of an earlier decision', async () => {
    for (let i = 0; i < 6; i++) await convert(await shoes(['bo', 'cy', 'di'][i % 3]), `r-${i}`);
    const pending = await shoes('ed');
    expect(h.tact.decide.state.counts.group('shoes-offer', 'segment:runners')).toMatchObject({ trials: 7, successes: 6 });
    const h2 = await harness('sqlite', { store: h.store, config });
    try {
      expect(h2.tact.decide.state.counts.group('shoes-offer', 'segment:runners')).toMatchObject({ trials: 7, successes: 6 });
      const r = await post(h2.app, '/v1/outcomes', { decisionId: pending.decisionId, type: 'conversion', action: 'shoes-offer', messageId: 'after-restart' });
      expect(r.statusCode, r.body).toBe(200);
      expect(h2.tact.decide.state.counts.group('shoes-offer', 'segment:runners')).toMatchObject({ trials: 7, successes: 7 });
      // Ed's offer, read back without its group, counts as his share of the runners' counts (taken out when his personal rung is earned).
      const ed = (await h.store.decisions.getDecision(pending.decisionId))!.profileKey;
      expect(h2.tact.decide.state.counts.ownShare('shoes-offer', ed, 'segment:runners')).toEqual({ trials: 1, successes: 1 });
    } finally {
      await h2.tact.close();
    }
  });

  it('climbs to the micro-segment rung once a micro-segments model is trained and its group has the evidence', async () => {
    const micro = { ...config, segments: { microSegments: { features: ['orders'], k: 2, minSubjects: 4 } } };
    const h3 = await harness('sqlite', { config: micro });
    try {
      const buyers = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'ana'];
      for (const u of ['n1', 'n2', 'n3', ...buyers]) await send(h3.app, '/v1/identify', { userId: u, context: advertising });
      for (const u of buyers) for (let k = 0; k < 3; k++) await send(h3.app, '/v1/track', { userId: u, event: 'Order Completed', messageId: `${u}-${k}`, properties: { revenue: 10, products: [{ product_id: 'sku-other' }] } });
      const [trained] = await h3.tact.learning.train(['micro-segments'], 'test');
      expect(trained).toMatchObject({ model: 'micro-segments', version: 1 });
      const ask = async (subject: string) => (await decideReq(h3.app, { subject, placement: 'home' })).json();
      const first = await ask('ana');
      expect(first.choices[0].estimate.source).toBe('population');
      const logged = await h3.store.decisions.getDecision(first.decisionId);
      expect(logged).toMatchObject({ segment: null, microSegmentModel: 'micro-segments@1' });
      // five more decisions in Ana's micro-segment (κ 20: 6 trials carry 6/26 ≥ 0.2 of its posterior)
      for (const u of ['m1', 'm2', 'm3', 'm4', 'm5']) {
        const d = await ask(u);
        expect((await h3.store.decisions.getDecision(d.decisionId))?.microSegment).toBe(logged!.microSegment);
      }
      const after = await ask('ana');
      expect(after.choices[0].estimate).toMatchObject({ source: 'micro-segment', evidence: 6 });
      expect(after.choices[0].explanation).toContain('(micro-segment, ');
      // someone in the other micro-segment is still on the population rung
      expect((await ask('n1')).choices[0].estimate.source).toBe('population');
    } finally {
      await h3.close();
    }
  });
});
