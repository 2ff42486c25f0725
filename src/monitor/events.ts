import type { DecisionRecord } from '../decide/decision.js';
import type { OutcomeRecord } from '../decide/records.js';
import type { MonitorEvent } from '../measure/monitors/counters.js';

/** The segment every event is also counted in. */
export const ALL_SEGMENTS = 'all';

/** Where a decision was made: its placement and the subject's segment (when the decision recorded one). */
export interface DecisionPlace {
  placement: string;
  segment: string;
}

/**
 * The placement and segment of a decision (`segment` is optional on the record; absent or null → "all").
 * @example placeOf(record) // { placement: 'home', segment: 'all' }
 */
export function placeOf(d: DecisionRecord): DecisionPlace {
  const segment = d.segment;
  return { placement: d.placement, segment: typeof segment === 'string' && segment !== '' ? segment : ALL_SEGMENTS };
}

/** The segments an event counts in: its own, and "all". */
function segmentsOf(segment: string): string[] {
  return segment === ALL_SEGMENTS ? [ALL_SEGMENTS] : [segment, ALL_SEGMENTS];
}

/**
 * Exposures of a decision: one per action choice shown, carrying the rate model's predicted
 * probability (the choice's estimate) for the calibration check. A choice held for review shows
 * its stand-in — the choice's `action` is the placement's safe default, `held` names the action
 * held — so the stand-in is exposed (it gets the outcomes' credit too); the held action is not.
 *
 * @example
 * exposuresOf(record) // [{ type: 'exposure', action: 'shoes-offer', placement: 'home', segment: 'all', at, predicted: 0.041 }]
 */
export function exposuresOf(d: DecisionRecord): MonitorEvent[] {
  const { placement, segment } = placeOf(d);
  const out: MonitorEvent[] = [];
  for (const c of d.choices) {
    if (c.kind !== 'action' || !c.action) continue;
    const p = d.scored.find((s) => s.action === c.action)?.p;
    for (const seg of segmentsOf(segment)) {
      const e: MonitorEvent = { at: d.at, type: 'exposure', action: c.action, placement, segment: seg };
      if (p !== undefined && Number.isFinite(p)) e.predicted = p;
      out.push(e);
    }
  }
  return out;
}

/**
 * The outcome types that count as negative: those named by the operator, else every type the
 * value function rewards below zero (unsubscribe, complaint by default) and "dismissal".
 *
 * @example
 * negativeTypes({ conversion: 'value', unsubscribe: -5, complaint: -20 }) // Set { 'unsubscribe', 'complaint', 'dismissal' }
 */
export function negativeTypes(rewards: Readonly<Record<string, number | 'value'>>, named?: ReadonlySet<string>): ReadonlySet<string> {
  if (named) return named;
  const out = new Set<string>(['dismissal']);
  for (const [type, r] of Object.entries(rewards)) if (typeof r === 'number' && r < 0) out.add(type);
  return out;
}

/**
 * Monitor events of one outcome credited to a decision: a response when it is the action's goal
 * (the first for that decision, as the estimates count it), a negative when its type is negative.
 * An outcome credited to no decision has no place and counts nowhere.
 *
 * @example
 * outcomeEvents(record, { placement: 'home', segment: 'all' }, negatives) // [{ type: 'negative', action: 'socks-offer', … }]
 */
export function outcomeEvents(o: OutcomeRecord, place: DecisionPlace, negatives: ReadonlySet<string>): MonitorEvent[] {
  if (!o.decisionId || !o.action) return [];
  const type = o.success ? 'response' : negatives.has(o.type) ? 'negative' : undefined;
  if (!type) return [];
  return segmentsOf(place.segment).map((segment) => ({ at: o.at, type, action: o.action as string, placement: place.placement, segment }));
}
