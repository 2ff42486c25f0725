import { afterEach, describe, expect, it } from 'vitest';
import { get, harness, send, type Harness } from '../../../test/harness.js';
import type { DecisionRecord } from '../decision.js';
import { shopConfig } from '../fixtures.js';
import { advertising, decideReq } from '../test-http.js';

function record(id: string, at: number): DecisionRecord {
  return {
    id, at, profileKey: 'anon:log', subject: 'log', placement: 'home', channel: 'web', context: {}, policyVersion: 1, catalogVersion: 1, modelVersion: 'm', arm: 'treatment',
    choices: [{ rank: 1, kind: 'action', action: 'newsletter', score: 0.1, propensity: 1, why: '' }], scored: [], excluded: [], facts: {}, absentFacts: [], operator: '', customer: '', excludedByStage: {},
  };
}

describe('GET /v1/decisions', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('pages with the cursor it answers as `next`, decisions of one millisecond included, and refuses a cursor it did not give naming `after`', async () => {
    h = await harness('sqlite', { config: shopConfig() });
    const t = Date.parse('2026-11-30T12:00:00.000Z');
    // Four decisions in one millisecond (a batch run, two processes) and one before.
    for (const [id, at] of [['d-1', t - 1], ['d-2', t], ['d-3', t], ['d-4', t], ['d-5', t]] as const) await h.store.decisions.appendDecision(record(id, at));
    const seen: string[][] = [];
    let url = '/v1/decisions?limit=2';
    for (let i = 0; i < 10; i++) {
      const r = await get(h.app, url);
      expect(r.statusCode, r.body).toBe(200);
      const page = r.json() as { decisions: { decisionId: string }[]; next: string | null };
      seen.push(page.decisions.map((d) => d.decisionId));
      if (page.next === null) break;
      url = `/v1/decisions?limit=2&after=${encodeURIComponent(page.next)}`;
    }
    expect(seen).toEqual([['d-5', 'd-4'], ['d-3', 'd-2'], ['d-1']]);
    // Paging by time, `to` the last page's time, skipped the rest of its millisecond: d-3 and d-2.
    expect((await get(h.app, `/v1/decisions?limit=2&to=${new Date(t).toISOString()}`)).json().decisions.map((d: { decisionId: string }) => d.decisionId)).toEqual(['d-1']);
    for (const bad of ['nope', 'eyJ4Ijox', Buffer.from('12x.d-1').toString('base64url'), Buffer.from('12.').toString('base64url')]) {
      const r = await get(h.app, `/v1/decisions?after=${bad}`);
      expect(r.statusCode, bad).toBe(400);
      expect(r.json().problems[0]).toMatchObject({ field: 'querystring.after', message: expect.stringContaining('`next`') });
    }
  });

  it('finds by `action` the decisions in which the action was held for review, the safe default shown in its place', async () => {
    h = await harness('sqlite', { config: shopConfig() });
    await send(h.app, '/v1/identify', { userId: 'fin', traits: { segment: 'finance' }, context: advertising });
    const d = (await decideReq(h.app, { subject: 'fin', placement: 'home' })).json();
    expect(d.choices[0]).toMatchObject({ action: 'newsletter', held: { action: 'loan-offer' } });
    const ids = async (q: string) => (await get(h!.app, `/v1/decisions?${q}`)).json().decisions.map((x: { decisionId: string }) => x.decisionId);
    expect(await ids('action=loan-offer')).toEqual([d.decisionId]);
    expect(await ids('action=loan-offer&subject=fin&placement=home')).toEqual([d.decisionId]);
    expect(await ids('action=newsletter')).toEqual([d.decisionId]);
    // Held again (the review still pending): found again.
    const again = (await decideReq(h.app, { subject: 'fin', placement: 'home' })).json();
    expect(again.choices[0].held.reviewId).toBe(d.choices[0].held.reviewId);
    expect(await ids('action=loan-offer')).toEqual([again.decisionId, d.decisionId]);
  });
});
