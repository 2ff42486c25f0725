import type { DecisionRecord } from '../decide/decision.js';
import type { OutcomeRecord } from '../decide/records.js';

/** A page of the decision log, oldest first: a placement, a time range, and where the last page ended. */
export interface DecisionPageQuery {
  placement?: string;
  /** Inclusive start (ms). */
  from?: number;
  /** Exclusive end (ms). */
  to?: number;
  /** The last decision of the previous page: the page starts strictly after it in (at, id) order. */
  after?: { at: number; id: string };
  limit: number;
}

/**
 * What measurement reads from the decision log, bounded: pages of decisions in (at, id) order
 * and the outcomes of a batch of subjects or decisions. Two implementations
 * (src/store/sqlite/measure.ts, src/store/postgres/measure.ts), both run through
 * src/store/conformance/measure.case.ts.
 *
 * @example
 * let page = await store.measure.decisionsPage({ placement: 'home', limit: 1000 });
 * page = await store.measure.decisionsPage({ placement: 'home', limit: 1000, after: page.at(-1) });
 */
export interface MeasureStore {
  decisionsPage(q: DecisionPageQuery): Promise<DecisionRecord[]>;
  /** Every outcome record of these subjects at or after `since`, oldest first (credited or not). */
  outcomesOfSubjects(profileKeys: readonly string[], since: number): Promise<OutcomeRecord[]>;
  /** Every outcome record credited to these decisions. */
  outcomesOfDecisions(decisionIds: readonly string[]): Promise<OutcomeRecord[]>;
}
