import type { DecisionRecord } from '../../decide/decision.js';
import type { OutcomeRecord } from '../../decide/records.js';
import type { Store } from '../../store/store.js';

/** Test fixtures of the uplift tests: a log of past decisions with known conversion rates. */

export interface Made { key: string; at: number; arm: 'none' | 'shoes-offer'; converted: boolean }

/**
 * `n` past decisions made at `at`, "none" or the shoes offer at propensity ½ each (one subject
 * each, numbered from `first`): by construction the offer converts 40% of its subjects and doing
 * nothing 10%, each `delay` after the decision.
 */
export async function logDecisions(h: { store: Pick<Store, 'decisions'> }, o: { first: number; n: number; at: number; delay: number }): Promise<Made[]> {
  const outcomes: OutcomeRecord[] = [];
  const made: Made[] = [];
  for (let i = o.first; i < o.first + o.n; i++) {
    const arm = i % 2 ? 'shoes-offer' : 'none';
    const choice = arm === 'none' ? { rank: 1, kind: 'none' as const, score: 0, propensity: 0.5, why: '' } : { rank: 1, kind: 'action' as const, action: 'shoes-offer', score: 2.8, propensity: 0.5, why: '' };
    const d: DecisionRecord = {
      id: `past-${i}`, at: o.at + i, profileKey: `p${i}`, subject: `s${i}`, placement: 'home', channel: 'web', context: {}, policyVersion: 1, catalogVersion: 1, modelVersion: 'beta-ladder@1',
      arm: 'treatment', choices: [choice], scored: [{ action: 'shoes-offer', score: 2.8, p: 0.05, value: 60, cost: 0.2 }], excluded: [],
      facts: { 'features.orders': i % 3 }, absentFacts: [], operator: '', customer: '', excludedByStage: {},
    };
    await h.store.decisions.appendDecision(d);
    const converted = Math.floor(i / 2) % 10 < 10 * (arm === 'none' ? 0.1 : 0.4);
    if (converted) outcomes.push({ id: `o${i}`, at: d.at + o.delay, profileKey: d.profileKey, type: 'conversion', value: 60, decisionId: arm === 'none' ? null : d.id, action: arm === 'none' ? null : arm, credit: arm === 'none' ? 0 : 1, reward: 60, success: arm !== 'none', source: 'api' });
    made.push({ key: d.profileKey, at: d.at, arm, converted });
  }
  await h.store.decisions.addOutcomes(outcomes);
  return made;
}
