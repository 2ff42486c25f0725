import type { Contact } from '../stages/types.js';

/** One share of credit for an outcome. */
export interface Credit {
  decisionId: string;
  action: string;
  at: number;
  credit: number;
}

/**
 * The decisions an outcome is credited to: the subject's action choices that preceded it within
 * each action's attribution window (and, when the outcome names an action, only that action's).
 * `last` gives all the credit to the latest one; `even` splits it equally.
 *
 * @example
 * attribute({ at: t, action: undefined }, contacts, { windowFor: () => 7 * 864e5, model: 'last' });
 * // [{ decisionId: 'd9', action: 'winback', at: …, credit: 1 }]
 */
export function attribute(outcome: { at: number; action?: string }, contacts: readonly Contact[], o: { windowFor: (action: string) => number; model: 'last' | 'even' }): Credit[] {
  const hits = contacts.filter((c) => creditable(outcome, c, o.windowFor));
  if (!hits.length) return [];
  if (o.model === 'last') {
    // Ties (the choices of one decision) go to the first listed: the decision's top choice.
    let last = hits[0];
    for (const c of hits) if (c.at > last.at) last = c;
    return [{ decisionId: last.decisionId, action: last.action, at: last.at, credit: 1 }];
  }
  return hits.map((c) => ({ decisionId: c.decisionId, action: c.action, at: c.at, credit: 1 / hits.length }));
}

/** Whether an outcome may be credited to a contact: it came before, within its action's window, of the action the outcome names (if any). */
export function creditable(outcome: { at: number; action?: string }, c: { at: number; action: string }, windowFor: (action: string) => number): boolean {
  return c.at <= outcome.at && outcome.at - c.at <= windowFor(c.action) && (!outcome.action || c.action === outcome.action);
}

/**
 * The reward of an outcome under the operator's value function: a number per outcome type, or
 * "value" for the outcome's own value (its revenue). Types the function does not name are worth 0.
 *
 * @example
 * rewardOf('conversion', 42, { conversion: 'value', unsubscribe: -5 }); // 42
 * rewardOf('unsubscribe', null, { conversion: 'value', unsubscribe: -5 }); // -5
 */
export function rewardOf(type: string, value: number | null, rewards: Readonly<Record<string, number | 'value'>>): number {
  const r = Object.hasOwn(rewards, type) ? rewards[type] : undefined;
  if (r === undefined) return 0;
  return r === 'value' ? (value ?? 0) : r;
}
