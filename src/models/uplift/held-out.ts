import { bucketHash } from '../../measure/experiments/assignment.js';
import { timeSlicer } from '../train/time-slice.js';
import { subjectAt, type SubjectMove } from './subjects.js';
import type { LoggedDecision } from './uplift-log.js';

/** The share of subjects whose logged decisions no `uplift` version is trained on. @example HELD_OUT_SHARE; // 0.2 */
export const HELD_OUT_SHARE = 0.2;
/** Salt of the split's hash: its own, so the held-out subjects are not those of an experiment arm or the holdout. */
const SALT = 'uplift-held-out';

/**
 * The split a version records in its state (`heldOut`) when trained without the held-out subjects:
 * the rule, so the subjects it never learned from can be told again later.
 */
export interface HeldOutSplit {
  salt: string;
  share: number;
  /**
   * What is hashed: `subject` — the profile the decision's subject belonged to at `asOf` (the
   * survivor of the merges received by then: subjects.ts); absent — the profile key recorded on
   * the decision, as versions split before the subject was followed through merges (a person
   * decided for under two profiles could fall on both sides).
   */
  by?: 'subject';
  /** When the version's subjects were read (its training time); absent: now. A merge received later does not move a decision in this version's split. */
  asOf?: number;
}

/** This split, as a version trained without its held-out subjects records it (with `asOf`: {@link splitAsOf}). @example trainedOnSplit(v); // compares salt and share with HELD_OUT_SPLIT's */
export const HELD_OUT_SPLIT: HeldOutSplit = { salt: SALT, share: HELD_OUT_SHARE, by: 'subject' };

/** The split of a version trained at `now`. @example state.heldOut = splitAsOf(ctx.now); */
export function splitAsOf(now: number): HeldOutSplit {
  return { ...HELD_OUT_SPLIT, asOf: now };
}

/**
 * Whether a subject's logged decisions are held out of `uplift` training: a hash of its profile
 * key (GrowthBook's bucketing hash, src/measure/experiments/assignment.ts) below
 * {@link HELD_OUT_SHARE}. Deterministic: every training and every comparison, in any process,
 * holds out the same subjects, so a version is never judged on a decision it learned from — and
 * all of a subject's decisions fall on one side (its outcomes are not independent of each other).
 * The key is the subject's profile as a decision's split reads it ({@link heldOutDecision}): the
 * survivor of the merges of the profile the decision was made for.
 *
 * @example
 * heldOutSubject('p42'); // false
 */
export function heldOutSubject(profileKey: string, split: Pick<HeldOutSplit, 'salt' | 'share'> = HELD_OUT_SPLIT): boolean {
  return bucketHash(split.salt, profileKey) < split.share;
}

/**
 * Whether a decision of profile `key`, whose subject these merges moved, is held out under `split`:
 * by the subject it belonged to at the split's `asOf` (a version split before subjects were
 * followed: by `key` itself).
 *
 * @example
 * heldOutDecision('p_visitor', [{ at: 5, from: 'p_visitor', into: 'p_ana' }], splitAsOf(10)); // as heldOutSubject('p_ana')
 */
export function heldOutDecision(key: string, moves: readonly SubjectMove[] | undefined, split: HeldOutSplit = HELD_OUT_SPLIT): boolean {
  return heldOutSubject(split.by === 'subject' ? subjectAt(key, moves, split.asOf) : key, split);
}

/**
 * The subject a logged decision belongs to as of `asOf` (default: now), as the log read it.
 *
 * @example
 * subjectOfRow(row); // 'p_ana' for a decision made for her visitor profile, merged into hers since
 */
export function subjectOfRow(r: LoggedDecision, asOf = Infinity): string {
  return r.moves ? subjectAt(r.record.profileKey, r.moves, asOf) : (r.subject ?? r.record.profileKey);
}

/**
 * The logged decisions split by subject: `training` for fitting a version, `heldOut` for judging
 * versions (the promotion comparison) and for the calibration report. With several splits (the
 * two versions a comparison judges), a decision is held out only when each of them holds it out;
 * `training` is the rest. Under a split by the recorded key (no `by`), a decision is also not held
 * out when another decision of its subject (now) fell on the training side: that version learned
 * from the person.
 *
 * @example
 * const { training, heldOut } = splitHeldOut(rows, [splitAsOf(now)]);
 */
export function splitHeldOut(rows: readonly LoggedDecision[], splits: readonly HeldOutSplit[] = [HELD_OUT_SPLIT]): HeldOutRows {
  const steps = splitSteps(rows, splits);
  for (let s = steps.next(); ; s = steps.next()) if (s.done) return s.value;
}

/**
 * {@link splitHeldOut} giving the event loop a turn whenever a time slice has run out (time-slice.ts):
 * the same split, for a caller on the server's thread — a hash per row and split, 50–100 ms held at
 * 20,000 logged decisions (QA 2026-12-06, the uplift comparison).
 *
 * @example
 * const { heldOut } = await splitHeldOutSliced(rows, splits);
 */
export async function splitHeldOutSliced(rows: readonly LoggedDecision[], splits: readonly HeldOutSplit[] = [HELD_OUT_SPLIT]): Promise<HeldOutRows> {
  const slice = timeSlicer();
  const steps = splitSteps(rows, splits);
  for (let s = steps.next(); ; s = steps.next()) {
    if (s.done) return s.value;
    if (slice.due()) await slice.pause();
  }
}

/** The two sides of {@link splitHeldOut}. */
export interface HeldOutRows {
  training: LoggedDecision[];
  heldOut: LoggedDecision[];
}

/** The split of {@link splitHeldOut}, a step per row read (its callers run it whole or sliced). */
function* splitSteps(rows: readonly LoggedDecision[], splits: readonly HeldOutSplit[]): Generator<void, HeldOutRows> {
  const byKey = splits.filter((s) => s.by !== 'subject');
  const learned = new Set<string>();
  for (const s of byKey) {
    for (const r of rows) {
      if (!heldOutSubject(r.record.profileKey, s)) learned.add(subjectOfRow(r));
      yield;
    }
  }
  const training: LoggedDecision[] = [];
  const heldOut: LoggedDecision[] = [];
  for (const r of rows) {
    const held = splits.every((s) => heldOutSubject(s.by === 'subject' ? subjectOfRow(r, s.asOf) : r.record.profileKey, s)) && !learned.has(subjectOfRow(r));
    (held ? heldOut : training).push(r);
    yield;
  }
  return { training, heldOut };
}
