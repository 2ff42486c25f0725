import { describe, expect, it } from 'vitest';
import type { DecisionRecord } from '../decide/decision.js';
import type { OutcomeRecord } from '../decide/records.js';
import { exposuresOf, negativeTypes, outcomeEvents, placeOf } from './events.js';

function decision(over: Partial<DecisionRecord> = {}): DecisionRecord {
  return {
    id: 'd1', at: 1000, profileKey: 'p1', subject: 'ana', placement: 'home', channel: 'web', context: {}, policyVersion: 1, catalogVersion: 1, modelVersion: 'm', arm: 'treatment',
    choices: [
      { rank: 1, kind: 'action', action: 'shoes', score: 2, propensity: 1, why: '' },
      { rank: 2, kind: 'action', action: 'socks', score: 1, propensity: 1, why: '' },
      { rank: 3, kind: 'handoff', queue: 'sales', score: 0, propensity: 1, why: '', held: { action: 'loan', reviewId: 'r1' } },
      { rank: 4, kind: 'none', score: 0, propensity: 1, why: '' },
    ],
    scored: [{ action: 'shoes', score: 2, p: 0.04 }, { action: 'socks', score: 1 }],
    excluded: [], facts: {}, absentFacts: [], operator: '', customer: '', excludedByStage: {},
    ...over,
  };
}

const outcome = (over: Partial<OutcomeRecord>): OutcomeRecord => ({ id: 'o1', at: 2000, profileKey: 'p1', type: 'conversion', value: null, decisionId: 'd1', action: 'shoes', credit: 1, reward: 0, success: false, source: 'api', ...over });

describe('monitor events', () => {
  it('an action choice shown is an exposure with its estimate; handoffs and "none" are not', () => {
    expect(exposuresOf(decision())).toEqual([
      { at: 1000, type: 'exposure', action: 'shoes', placement: 'home', segment: 'all', predicted: 0.04 },
      { at: 1000, type: 'exposure', action: 'socks', placement: 'home', segment: 'all' },
    ]);
  });

  it('a held action\'s stand-in was shown: it is an exposure with its own estimate, the held action is not', () => {
    // The customer saw the safe default; outcomes are credited to it, so without its exposure its
    // monitored response rate and calibration would count responses over too few exposures.
    const d = decision({
      choices: [
        { rank: 1, kind: 'action', action: 'newsletter', score: 0.1, propensity: 0.76, exposurePropensity: 0.82, held: { action: 'loan', reviewId: 'r1' }, why: '' },
        { rank: 2, kind: 'none', score: 0, propensity: 1, why: '', held: { action: 'card', reviewId: 'r2' } },
      ],
      scored: [{ action: 'loan', score: 15, p: 0.05, review: 'review' }, { action: 'newsletter', score: 0.1, p: 0.02 }],
    });
    expect(exposuresOf(d)).toEqual([{ at: 1000, type: 'exposure', action: 'newsletter', placement: 'home', segment: 'all', predicted: 0.02 }]);
  });

  it('a decision with a segment counts in that segment and in "all"', () => {
    const d = decision({ segment: 'vip' });
    expect(placeOf(d)).toEqual({ placement: 'home', segment: 'vip' });
    expect(exposuresOf(d).map((e) => `${e.action}/${e.segment}`)).toEqual(['shoes/vip', 'shoes/all', 'socks/vip', 'socks/all']);
    expect(placeOf(decision({ segment: null }))).toEqual({ placement: 'home', segment: 'all' });
  });

  it('negatives are what the value function rewards below zero, and dismissals — unless the operator names them', () => {
    expect([...negativeTypes({ conversion: 'value', unsubscribe: -5, complaint: -20, click: 0.1 })].sort()).toEqual(['complaint', 'dismissal', 'unsubscribe']);
    expect([...negativeTypes({ unsubscribe: -5 }, new Set(['spam-report']))]).toEqual(['spam-report']);
  });

  it('an outcome is a response when it is the goal success, a negative when its type is negative, else nothing', () => {
    const neg = negativeTypes({ unsubscribe: -5 });
    const place = { placement: 'home', segment: 'vip' };
    expect(outcomeEvents(outcome({ success: true }), place, neg).map((e) => `${e.type}/${e.segment}`)).toEqual(['response/vip', 'response/all']);
    expect(outcomeEvents(outcome({ type: 'unsubscribe' }), place, neg)).toEqual([
      { at: 2000, type: 'negative', action: 'shoes', placement: 'home', segment: 'vip' },
      { at: 2000, type: 'negative', action: 'shoes', placement: 'home', segment: 'all' },
    ]);
    // a second conversion of the same decision is not a new success; an outcome credited to no decision counts nowhere
    expect(outcomeEvents(outcome({ success: false }), place, neg)).toEqual([]);
    expect(outcomeEvents(outcome({ type: 'unsubscribe', decisionId: null }), place, neg)).toEqual([]);
  });
});
