import type { CompiledCatalog } from '../../decide/catalog-compile.js';
import type { LogPosition } from '../../decide/decision-cursor.js';
import type { DecisionRecord } from '../../decide/decision.js';
import type { OutcomeRecord } from '../../decide/decision-store.js';
import { outcomesSincePaged } from '../../decide/outcome-pages.js';
import { catalogVersions } from '../../measure/policy-eval/logged-catalog.js';
import { NONE, shownDistribution, variantShare, type Distribution } from '../../measure/policy-eval/replay-choice.js';
import { findProfile } from '../../profiles/lookup.js';
import { mergedInto } from '../../profiles/merged-ids.js';
import type { ProfileStore } from '../../profiles/profile-store.js';
import type { Store } from '../../store/store.js';
import { timeSlicer, type TimeSlicer } from '../train/time-slice.js';
import { subjectMoves, type SubjectMove } from './subjects.js';
import { variantPins } from './variant-pins.js';

/** The parts of a logged decision uplift learning reads (the rest is dropped as pages are read). */
export type LoggedRecord = Pick<DecisionRecord, 'id' | 'at' | 'profileKey' | 'facts' | 'scored'>;

/** One logged decision as uplift learning reads it: the arm it received and what followed. */
export interface LoggedDecision {
  record: LoggedRecord;
  /**
   * "none" (nothing was done: chosen, the holdout, or a held action with nothing to stand in) or
   * the action shown at rank 1 — for a choice held for review, its stand-in (the safe default).
   */
  arm: string;
  /**
   * The logging policy's probability of showing that arm: the choice's `exposurePropensity` (every
   * route to it), else its `propensity`, with its content variant's share divided out; 1 in the holdout.
   */
  propensity: number;
  /**
   * What a pick of an action held for review (its logged `review` "review" or "pending") shows at
   * rank 1 of this decision: the safe default or "none". Absent when no option would be held.
   */
  standIn?: string;
  /** Outcome types the subject produced within the window after the decision (each outcome once). */
  followed: ReadonlySet<string>;
  /**
   * Per outcome type the subject produced within `horizonMs` after the decision, how long after it
   * the first came (ms): what an action's own attribution window reads. Set by {@link readDecisionLog}.
   */
  delays?: ReadonlyMap<string, number>;
  /**
   * The subject the decision belongs to now (subjects.ts): the survivor of the merges its profile
   * went through, or the profile its `anon:` key's identifier names. Absent: the record's own key.
   * Set by {@link readDecisionLog}; the held-out split reads it (held-out.ts).
   */
  subject?: string;
  /** The merges that moved the decision's subject, oldest first, when there were any: its subject as of an earlier time (subjects.ts `subjectAt`). */
  moves?: readonly SubjectMove[];
}

/**
 * Decisions read a page at a time: each body is decoded (zlib) synchronously as the page is read,
 * so a page holds the server's thread — 500 a page is tens of ms (until 2026-12-06 2,000, with no
 * turn of the event loop between pages: 9 s held on a 50,000-decision log).
 */
const PAGE = 500;

/**
 * Reads the decision log for uplift learning and off-policy comparison: decisions whose outcome
 * window has closed (`at + windowMs ≤ now`, so none is censored), newest first up to `max`, each
 * with its arm — the rank-1 action shown, or "none" when nothing was done (a "none" choice or the
 * holdout; handoffs are left out) — with the probability it was shown, and the outcome types the
 * subject produced within the window, whether or not attribution credited them to the decision (a
 * "none" decision is credited nothing, yet its subject may convert: that is the control). A
 * decision made before its subject had a profile (`anon:<identifier>`) is the profile's once one
 * holds the identifier, and reads the profile's outcomes (until 2026-12-05 it read only those
 * under its `anon:` key, none of a tracked subject's: its arm learned no conversion at all).
 *
 * A choice held for review is read as what was shown — the safe default standing in, or nothing —
 * with `exposurePropensity`, as off-policy evaluation reads it: IPS needs the logged arm to be the
 * one whose outcome was observed, with the probability it was shown (Dudík, Langford & Li 2011,
 * §2). Leaving held decisions out learned from, and judged on, only the decisions where nothing was
 * held. The arm is the action, whichever content variant was shown: the logged probability, which
 * includes the variant's share, is divided by it (1/V among the variants of the decision's catalog
 * version, 1 when its experiment arm pinned the variant in the experiments version then in force);
 * a holdout decision's arm "none" has probability 1, the holdout being a hash of the subject. Each
 * decision is read under the catalog version it was made with: its placement's safe default there
 * gives the stand-in of decisions where a held action could have been picked but was not, for
 * replaying another policy's pick.
 *
 * Each row names the subject it belongs to now (`subject`: the survivor of its profile's merges,
 * with the merges that moved it, `moves`), which the held-out split reads (held-out.ts): one read
 * of the profiles per distinct key of the log, one more per merge followed.
 *
 * `horizonMs` (default `windowMs`) is how far after each decision `delays` looks: with `windowMs`
 * 0 every decision is read, its window open or not, and the caller closes each action's window
 * itself (the calibration report).
 *
 * @example
 * const rows = await readDecisionLog(store, { now: Date.now(), windowMs: 7 * 864e5, sinceMs: 90 * 864e5, max: 50_000 });
 */
export async function readDecisionLog(store: Store, o: { now: number; windowMs: number; sinceMs: number; max: number; horizonMs?: number }): Promise<LoggedDecision[]> {
  const from = o.now - o.sinceMs;
  const catalogAt = catalogVersions(store.documents);
  const pinned = variantPins(store.documents);
  const records: (LoggedRecord & { arm: string; propensity: number; standIn?: string })[] = [];
  const to = o.now - o.windowMs + 1;
  let after: LogPosition | undefined;
  const slice = timeSlicer();
  while (records.length < o.max) {
    // Newest first by (at, id); each page goes on after the last decision of the one before, so a
    // page that ends inside a millisecond goes on with the rest of it, none read twice.
    await slice.pause();
    const page = await store.decisions.queryDecisions({ from, to, after, limit: PAGE });
    for (const d of page) {
      await slice.pause();
      const first = d.choices[0];
      if (!first || first.kind === 'handoff') continue;
      const arm = d.arm === 'holdout' || first.kind === 'none' ? 'none' : (first.action as string);
      const catalog = await catalogAt(d.catalogVersion);
      // A held choice shows its stand-in: the record says which; otherwise the decision's catalog version's safe default, as the replay would.
      const standIn = first.held ? arm : standInOf(d, catalog.placements.get(d.placement)?.safeDefault);
      records.push({
        id: d.id, at: d.at, profileKey: d.profileKey, facts: d.facts, scored: d.scored.filter((t) => t.value !== undefined),
        arm, propensity: await armPropensity(d, catalog, pinned), ...(standIn !== undefined ? { standIn } : {}),
      });
    }
    if (page.length < PAGE) break;
    const last = page[page.length - 1];
    after = { at: last.at, id: last.id };
  }
  if (!records.length) return [];
  // A page at a time, with a turn between pages once a slice has run out (until 2026-12-06 one
  // read: 80–260 ms held for 8,000 outcomes on SQLite, seconds on a busy log). What follows —
  // thousands of profile reads, also synchronous underneath — likewise (until 2026-12-06 none: 0.6–1.4 s held).
  const outcomes = await outcomesSincePaged(store.decisions, from, slice);
  // A subject decided for before it had a profile has those decisions under `anon:<identifier>`,
  // its later outcomes under the profile (docs/decisions.md §5): both are read under the subject.
  const subjectOf = await subjectsOf(store.profiles, records.map((r) => r.profileKey), outcomes.map((out) => out.profileKey), slice);
  const bySubject = new Map<string, { at: number; type: string }[]>();
  const outcomeIds = new Set<string>();
  for (const out of outcomes) {
    if (slice.due()) await slice.pause();
    const key = `${out.profileKey}|${out.id}`;
    if (outcomeIds.has(key)) continue;
    outcomeIds.add(key);
    const subject = subjectOf(out.profileKey);
    let list = bySubject.get(subject);
    if (!list) bySubject.set(subject, (list = []));
    list.push({ at: out.at, type: out.type });
  }
  const horizon = Math.max(o.horizonMs ?? o.windowMs, o.windowMs);
  // Whose decision each is now (the survivor of its profile's merges), for the held-out split.
  const movesOf = await subjectMoves(store.profiles, records.slice(0, o.max).map((r) => r.profileKey), slice);
  const rows: LoggedDecision[] = [];
  for (const { arm, propensity, standIn, ...record } of records.slice(0, o.max)) {
    await slice.pause();
    const followed = new Set<string>();
    const delays = new Map<string, number>();
    for (const e of bySubject.get(subjectOf(record.profileKey)) ?? []) {
      const delay = e.at - record.at;
      if (delay < 0 || delay > horizon) continue;
      if (delay <= o.windowMs) followed.add(e.type);
      const first = delays.get(e.type);
      if (first === undefined || delay < first) delays.set(e.type, delay);
    }
    const moves = movesOf.get(record.profileKey) ?? [];
    const subject = moves.length ? moves[moves.length - 1].into : record.profileKey;
    rows.push({ record, arm, propensity, ...(standIn !== undefined ? { standIn } : {}), followed, delays, subject, ...(moves.length ? { moves } : {}) });
  }
  return rows;
}

const ANON = 'anon:';

/** How many `anon:` keys are looked up at once (each is a read or a few of the identities). */
const LOOKUPS_AT_ONCE = 32;

/**
 * The key a subject's decisions and outcomes are joined under: an `anon:<identifier>` key (a
 * decision, or an outcome reported by `subject`, made before the subject had a profile) is the
 * profile that identifier names now, as the decider keys it (src/decide/subject-keys.ts); a
 * profile merged into one that has outcomes is that one, as the decision log's attribution reads
 * it (until 2026-12-05 a visitor decided for, who then logged in and bought, read as no purchase);
 * any other key — a profile, or an identifier no profile holds yet — is itself. Each distinct
 * `anon:` key is looked up once, and the merges of each profile with outcomes read once: a log
 * without either costs nothing. The reads go `LOOKUPS_AT_ONCE` at a time, with a turn of the event
 * loop between two once `slice` has run out (the SQLite store reads synchronously underneath).
 *
 * @example
 * const subject = await subjectsOf(store.profiles, ['anon:u1', 'p_visitor'], ['p_7']);
 * subject('anon:u1'); // 'p_01J…' once a profile holds userId u1
 * subject('p_visitor'); // 'p_7' once p_visitor merged into p_7
 */
async function subjectsOf(profiles: ProfileStore, decisionKeys: readonly string[], outcomeKeys: readonly string[], slice = timeSlicer()): Promise<(key: string) => string> {
  const anonymous = [...new Set([...decisionKeys, ...outcomeKeys].filter((k) => k.startsWith(ANON)))];
  const found = new Map<string, string>();
  for (let i = 0; i < anonymous.length; i += LOOKUPS_AT_ONCE) {
    await slice.pause();
    await Promise.all(anonymous.slice(i, i + LOOKUPS_AT_ONCE).map(async (key) => {
      const profile = await findProfile(profiles, key.slice(ANON.length));
      if (profile) found.set(key, profile.profileId);
    }));
  }
  // A profile decided for and then merged into another (a visitor who logs in): its outcomes since
  // are the survivor's. Each profile with outcomes names the profiles merged into it; only those
  // with outcomes are walked, so a log of decisions nobody acted on costs nothing more.
  const survivors = [...new Set(outcomeKeys.map((k) => found.get(k) ?? k).filter((k) => !k.startsWith(ANON)))];
  for (let i = 0; i < survivors.length; i += LOOKUPS_AT_ONCE) {
    await slice.pause();
    await Promise.all(survivors.slice(i, i + LOOKUPS_AT_ONCE).map(async (survivor) => {
      for (const from of await mergedInto(profiles, survivor)) if (!found.has(from)) found.set(from, survivor);
    }));
  }
  return (key) => found.get(key) ?? key;
}

/**
 * The arm a pick of `action` at rank 1 of this logged decision shows: its stand-in when the record
 * marks the action as awaiting review, else the action itself.
 *
 * @example
 * shownArm(row, 'loan'); // 'newsletter' while the loan's review is pending
 */
export function shownArm(r: LoggedDecision, action: string): string {
  if (r.standIn === undefined || action === 'none') return action;
  const review = r.record.scored.find((t) => t.action === action)?.review;
  return review === 'review' || review === 'pending' ? r.standIn : action;
}

/**
 * What a held pick at rank 1 of the decision would show, by the replay's own rule
 * (src/measure/policy-eval/replay-choice.ts `shownDistribution`: the safe default when it was among
 * the options and not itself under review, else nothing); undefined when no option would be held.
 */
function standInOf(d: DecisionRecord, safeDefault: string | undefined): string | undefined {
  const held = d.scored.find((s) => s.review === 'review' || s.review === 'pending');
  if (!held) return undefined;
  const pickHeld: Distribution = new Map([[NONE, 0], ...d.scored.map((s) => [s.action, s.action === held.action ? 1 : 0] as [string, number])]);
  for (const [shown, p] of shownDistribution(pickHeld, d, safeDefault)) if (p === 1) return shown === NONE ? 'none' : shown;
  return undefined;
}

/**
 * The logging policy's probability of the decision's arm. The global holdout is a hash of the
 * subject (src/decide/pipeline.ts `inHoldout`): given it, its arm "none" had probability 1. What its
 * choice logs is the shown safe default's 1 times that variant's probability — drawn (until
 * 2026-12-03 it could be pinned by the subject's experiment arm, which the record, naming the arm
 * "holdout", does not say: dividing the drawn share out of a pinned variant's 1 read it as V). Any other
 * decision's arm is its rank-1 action, whichever variant: its share is divided out.
 */
async function armPropensity(d: DecisionRecord, catalog: CompiledCatalog, pinned: (d: DecisionRecord) => Promise<boolean>): Promise<number> {
  if (d.arm === 'holdout') return 1;
  const first = d.choices[0];
  return (first.exposurePropensity ?? first.propensity) / variantShare(first, catalog, await pinned(d));
}

/**
 * A window in words, as the calibration report and the comparison say it.
 *
 * @example
 * span(7 * 86_400_000); // "7-day"
 */
export function span(ms: number): string {
  for (const [unit, size] of [['day', 86_400_000], ['hour', 3_600_000], ['minute', 60_000]] as const) if (ms % size === 0) return `${ms / size}-${unit}`;
  return `${ms / 1000}-second`;
}
