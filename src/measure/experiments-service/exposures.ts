import type { DecisionRecord } from '../../decide/decision.js';
import { findProfile } from '../../profiles/lookup.js';
import { mergedInto } from '../../profiles/merged-ids.js';
import type { ProfileState } from '../../profiles/profile-state.js';
import type { ProfileStore } from '../../profiles/profile-store.js';
import type { MeasureStore } from '../measure-store.js';
import type { Exposure } from './subject-metrics.js';

const PAGE = 2000;

/** Which decisions to read: a placement (or every placement) and a time range. */
export interface ExposureQuery {
  placement?: string;
  /**
   * Inclusive start (ms) of the window: its decisions are counted; the log before it is read too,
   * for each subject's first exposure (`firstExposedFrom` keeps the subjects first exposed inside).
   */
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
  /** Which subjects those are. */
  crossed?: ReadonlySet<string>;
  /** Per subject, every profile key its outcomes may be under (when the exposures were grouped by person). */
  keysOf?: ReadonlyMap<string, readonly string[]>;
}

/**
 * Reads the decision log page by page (2,000 decisions at a time, in (at, id) order) and fixes
 * each subject's group at its first decision in scope: `groupOf` names a decision's group, or
 * `undefined` to leave the decision out. Experiments group by arm, the global holdout by
 * `holdout` / `personalized`; both readouts go through this one reader. With a window start the
 * log before it is read as well, so a subject's first exposure is its first in the log: pass the
 * result (after `byPerson`, when grouping by person) through `firstExposedFrom`.
 *
 * @example
 * const r = await readExposures(store.measure, { placement: 'home', to: Date.now() }, (d) => d.experiment?.id === 'hero-test' ? d.experiment.arm : undefined);
 * r.exposures.get('anon:u1'); // { arm: 'control', first: 1764547200000, decisions: 1 }
 */
export async function readExposures(store: MeasureStore, q: ExposureQuery, groupOf: (d: DecisionRecord) => string | undefined): Promise<ExposureRead> {
  const exposures = new Map<string, Exposure>();
  const crossed = new Set<string>();
  let decisions = 0;
  let after: { at: number; id: string } | undefined;
  const from = q.from ?? -Infinity;
  for (;;) {
    const page = await store.decisionsPage({ placement: q.placement, to: q.to, after, limit: PAGE });
    for (const d of page) {
      const group = groupOf(d);
      if (group === undefined) continue;
      const inWindow = d.at >= from ? 1 : 0;
      decisions += inWindow;
      const x = exposures.get(d.profileKey);
      if (!x) exposures.set(d.profileKey, { arm: group, first: d.at, decisions: inWindow });
      else {
        x.decisions = (x.decisions ?? 0) + inWindow;
        if (x.arm !== group) crossed.add(d.profileKey);
      }
    }
    if (page.length < PAGE) break;
    after = { at: page[page.length - 1].at, id: page[page.length - 1].id };
  }
  return { exposures, decisions, crossovers: crossed.size, crossed };
}

/**
 * The exposures by person: each profile key the decisions were logged under is mapped to the
 * profile it belongs to now (a visitor's profile that merged into the customer's, or an `anon:`
 * key whose identifier has a profile since), so a visitor who logged in after their exposure is one
 * unit with their first exposure's group, and the outcomes they had under any of their keys count.
 *
 * @example
 * const r = byPerson(store.profiles, await readExposures(store.measure, q, groupOf));
 * r.keysOf.get('p_customer'); // ['p_customer', 'p_visitor']
 */
export async function byPerson(profiles: ProfileStore, read: ExposureRead): Promise<ExposureRead & { keysOf: ReadonlyMap<string, readonly string[]> }> {
  const exposures = new Map<string, Exposure>();
  const keysOf = new Map<string, Set<string>>();
  const states = new Map<string, ProfileState | undefined>();
  const crossed = new Set<string>();
  for (const [key, x] of read.exposures) {
    let person = key;
    if (key.startsWith('anon:')) person = (await findProfile(profiles, key.slice(5)))?.profileId ?? key;
    else {
      const state = await profiles.getProfile(key);
      person = state?.id ?? key;
      states.set(person, state);
    }
    const keys = keysOf.get(person) ?? keysOf.set(person, new Set([person])).get(person)!;
    keys.add(key);
    const seen = exposures.get(person);
    if (read.crossed?.has(key) || (seen && seen.arm !== x.arm)) crossed.add(person);
    const decisions = (seen?.decisions ?? 0) + (x.decisions ?? 0);
    exposures.set(person, { ...(!seen || x.first < seen.first ? x : seen), decisions });
  }
  // Outcomes logged under the profiles merged into a person's, before or after the exposure.
  for (const [person, keys] of keysOf) {
    if (person.startsWith('anon:')) continue;
    const state = states.has(person) ? states.get(person) : await profiles.getProfile(person);
    if (state && state.absorbed !== 0) for (const k of await mergedInto(profiles, person)) keys.add(k);
  }
  return { exposures, decisions: read.decisions, crossovers: crossed.size, crossed, keysOf: new Map([...keysOf].map(([p, k]) => [p, [...k]])) };
}

/**
 * The units of a window: the subjects first exposed at or after `from` (all of them without one).
 * A subject exposed before it is not a new unit when it comes back: its outcomes since that exposure
 * are its arm's, so counting it as first exposed at its return put them in its CUPED pre-period
 * (a covariate the treatment moved; Deng, Xu, Kohavi & Walker, WSDM 2013, §3.3), and whether it
 * came back at all can depend on its arm. `decisions` and `crossovers` are the kept units'.
 *
 * @example
 * const units = firstExposedFrom(await readExposures(store.measure, { from, to }, groupOf), from);
 */
export function firstExposedFrom<T extends ExposureRead>(read: T, from: number | undefined): T {
  if (from === undefined) return read;
  const exposures = new Map<string, Exposure>();
  const crossed = new Set<string>();
  let decisions = 0;
  for (const [key, x] of read.exposures) {
    if (x.first < from) continue;
    exposures.set(key, x);
    decisions += x.decisions ?? 0;
    if (read.crossed?.has(key)) crossed.add(key);
  }
  return { ...read, exposures, decisions, crossovers: crossed.size, crossed };
}
