import type { DecisionRecord } from '../../decide/decision.js';
import type { MeasureStore } from '../measure-store.js';
import type { Exposure } from './subject-metrics.js';

const PAGE = 2000;

/** Which decisions to read: a placement (or every placement) and a time range. */
export interface ExposureQuery {
  placement?: string;
  /** Inclusive start (ms). */
  from?: number;
  /** Exclusive end (ms). */
  to: number;
}

/** Subjects by first exposure, with what was read. */
export interface ExposureRead {
  /** One entry per subject: the group of its first decision in scope, and when. */
  exposures: Map<string, Exposure>;
  /** Decisions in scope (those `groupOf` put in a group). */
  decisions: number;
  /** Subjects seen in more than one group (they stay in their first). */
  crossovers: number;
}

/**
 * Reads the decision log page by page (2,000 decisions at a time, in (at, id) order) and fixes
 * each subject's group at its first decision in scope: `groupOf` names a decision's group, or
 * `undefined` to leave the decision out. Experiments group by arm, the global holdout by
 * `holdout` / `personalized`; both readouts go through this one reader.
 *
 * @example
 * const r = await readExposures(store.measure, { placement: 'home', to: Date.now() }, (d) => d.experiment?.id === 'hero-test' ? d.experiment.arm : undefined);
 * r.exposures.get('anon:u1'); // { arm: 'control', first: 1764547200000 }
 */
export async function readExposures(store: MeasureStore, q: ExposureQuery, groupOf: (d: DecisionRecord) => string | undefined): Promise<ExposureRead> {
  const exposures = new Map<string, Exposure>();
  const crossed = new Set<string>();
  let decisions = 0;
  let after: { at: number; id: string } | undefined;
  for (;;) {
    const page = await store.decisionsPage({ placement: q.placement, from: q.from, to: q.to, after, limit: PAGE });
    for (const d of page) {
      const group = groupOf(d);
      if (group === undefined) continue;
      decisions++;
      const x = exposures.get(d.profileKey);
      if (!x) exposures.set(d.profileKey, { arm: group, first: d.at });
      else if (x.arm !== group) crossed.add(d.profileKey);
    }
    if (page.length < PAGE) break;
    after = { at: page[page.length - 1].at, id: page[page.length - 1].id };
  }
  return { exposures, decisions, crossovers: crossed.size };
}
