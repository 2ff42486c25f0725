import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, harness, send, type Harness } from '../../test/harness.js';
import { shopConfig } from './fixtures.js';
import { advertising, decideReq, post } from './test-http.js';

/**
 * How a decision explains a person's verdict on a high-stakes action (QA 2026-12-06): the one that
 * delivers an approved action names who approved it and when (it said "a person"), and a rejection
 * is counted as a reviewer's, not as human territory ("human territory 1").
 */
describe.each(['sqlite', 'postgres'] as const)('reviews in the explanation (%s)', (kind) => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });
  const held = async (app: Harness['app'], userId: string): Promise<string> => {
    await send(app, '/v1/identify', { userId, traits: { segment: 'finance' }, context: advertising });
    const choice = (await decideReq(app, { subject: userId, placement: 'home' })).json().choices[0];
    expect(choice.held?.action, JSON.stringify(choice)).toBe('loan-offer');
    return choice.held.reviewId as string;
  };

  it('names the reviewer and the time of the approval a decision delivers, in its sentence and its candidate', async () => {
    h = await harness(kind, { config: shopConfig() });
    const reviewId = await held(h.app, 'fin');
    const approved = (await post(h.app, `/v1/reviews/${reviewId}/approve`, { reviewer: 'kim', note: 'affordability checked' }, KEYS.admin)).json();
    expect(approved).toMatchObject({ status: 'approved', reviewer: 'kim' });
    const d = (await decideReq(h.app, { subject: 'fin', placement: 'home', explain: 'full' })).json();
    expect(d.choices[0]).toMatchObject({ kind: 'action', action: 'loan-offer' });
    expect(d.choices[0].explanation).toContain(`; a person approved it for this subject (kim, at ${approved.decidedAt}; review ${reviewId}).`);
    const candidate = d.explanation.candidates.find((c: { action: string }) => c.action === 'loan-offer');
    expect(candidate).toMatchObject({ status: 'scored', review: 'approved', approval: { reviewId, reviewer: 'kim', at: approved.decidedAt } });
  });

  it('counts a rejected high-stakes action as rejected by a reviewer, not as human territory', async () => {
    h = await harness(kind, { config: shopConfig() });
    const reviewId = await held(h.app, 'fin');
    expect((await post(h.app, `/v1/reviews/${reviewId}/reject`, { reviewer: 'kim', note: 'not suitable' }, KEYS.admin)).statusCode).toBe(200);
    const d = (await decideReq(h.app, { subject: 'fin', placement: 'home', explain: 'full' })).json();
    expect(d.explanation.operator).toMatch(/candidate actions were excluded \([^)]*rejected by a reviewer 1[^)]*\)/);
    expect(d.explanation.operator).not.toContain('human territory 1');
    // The stage's count stays the stage's.
    expect(d.explanation.excludedByStage['human territory']).toBe(1);
  });
});
