import type { Estimate } from '../learn/estimate.js';

/**
 * The pipeline's stages, in the order they run.
 *
 * @example
 * STAGES.indexOf('consent') < STAGES.indexOf('contact policy'); // true
 */
export const STAGES = ['eligibility', 'applicability', 'suitability', 'consent', 'contact policy', 'human territory', 'scoring', 'selection'] as const;
/** One stage of the pipeline. */
export type StageName = (typeof STAGES)[number];

/** Why a candidate left the pipeline: the stage, the rule, and a sentence. */
export interface Verdict {
  stage: StageName;
  rule: string;
  reason: string;
}

/** One term of a score: "response rate 4.1%", "value 40", "lever winter push ×1.2", "contact cost −0.5". */
export interface Factor {
  name: string;
  value: number;
  detail?: string;
}

/** Candidates excluded at the same stage by the same rule for the same reason, together. */
export interface ExclusionTrace {
  stage: StageName;
  rule: string;
  reason: string;
  actions: string[];
}

/**
 * A scored candidate, compact (a decision may weigh a hundred). Every one keeps its score (enough
 * to replay the selection); the best {@link TRACE_DETAIL} and every chosen one also keep their
 * estimate — rate `p`, interval `lo`–`hi` at the policy's level, evidence `n`, the rung it comes
 * from, whether it is still learning — the action's value and contact cost, and the levers.
 */
export interface ScoreTrace {
  action: string;
  score: number;
  p?: number;
  lo?: number;
  hi?: number;
  n?: number;
  rung?: Estimate['source'];
  /** A chosen action's estimate as its Beta posterior (α, β), when it is one (the decisions' calibration report replays it). */
  a?: number;
  b?: number;
  learning?: true;
  /**
   * Why it is still learning, when the estimate says (a bandit's `extrapolated`: beyond the contexts
   * it learned from; a rate's `pending`: too many of its trials still inside their attribution windows).
   */
  why?: 'extrapolated' | 'stale' | 'pending';
  /**
   * The estimate's open choices (Estimate.open, ADR 0007): `n` of its evidence still inside their
   * attribution windows, and `w` what they weighed by the delay learned, when one is — the value
   * read over their exposure, not as failures (logged since 2026-12-06).
   */
  open?: { n: number; w?: number };
  /**
   * When the estimate's evidence last changed (ms), its `updatedAt`: a bandit's, the action's last
   * outcome (logged since 2026-12-05); the ladder's, the newest decision or outcome in its counts
   * (logged since 2026-12-07).
   */
  at?: number;
  value?: number;
  cost?: number;
  levers?: (readonly [string, number])[];
  /**
   * Uplift scoring: the uplift over "none" the score used (value, interval, evidence, model, and
   * `at`, the end of the model's data window — its `updatedAt`, logged since 2026-12-07).
   */
  uplift?: { p: number; lo: number; hi: number; n: number; model: string; at?: number };
  /** Uplift scoring was asked for but the rate was used: why. */
  fallback?: string;
  /** high-stakes: "review" (needs a person), "pending", "approved". */
  review?: 'review' | 'pending' | 'approved';
  /** Of an approved one: its review, who approved it (the review's `reviewer`) and when (ms). */
  approval?: { review: string; by: string | null; at: number | null };
}

/**
 * How many of the best-scored candidates keep their estimate and terms in the log.
 *
 * @example
 * record.scored.slice(0, TRACE_DETAIL).every((s) => s.p !== undefined); // true
 */
export const TRACE_DETAIL = 10;

/**
 * One entry of a decision's ranked answer: an action (with its variant), an explicit "none", or a
 * handoff to a human queue.
 */
export interface Choice {
  rank: number;
  kind: 'action' | 'none' | 'handoff' | 'item';
  action?: string;
  /** A recommendation placement's item (kind "item"). */
  item?: string;
  /** What the recommender inferred of an item (recommendation placements: a recommendation's score, a re-ranked item's affinity, or the population's share) as an Estimate; absent for an item the model does not know. Actions keep theirs in `scored`. */
  estimate?: Estimate;
  variant?: string;
  content?: Record<string, unknown>;
  queue?: string;
  score: number;
  /**
   * The exact probability with which this choice was made at its rank, given the ranks above it.
   * For a held action's stand-in: the probability selection picked the held action (times the
   * stand-in's variant's).
   */
  propensity: number;
  /**
   * The probability that what this choice shows was shown at its rank, given the ranks above it:
   * the sum over every pick that leads to it — the option itself, and each action held for review
   * if picked, whose stand-in it is. Set when there is more than one route (a held action's
   * stand-in, or the safe default or "none" picked directly while an action among the options
   * would have been held); otherwise it is `propensity`. Off-policy estimates of what customers
   * saw weigh by it: IPS assumes the logged action is the one whose reward was observed, with its
   * logging probability (Dudík, Langford & Li 2011, §2).
   */
  exposurePropensity?: number;
  /** Bound on the numerical error of `propensity` (bandit selection computes it by quadrature). */
  propensityError?: number;
  /** When a high-stakes choice was held for review, what was held and the review's id. */
  held?: { action: string; reviewId: string };
  /** Operator-facing sentence for this choice. */
  why: string;
}

/**
 * A decision as the log keeps it, for as long as the retention policy says: what was asked, what
 * was answered, why, the policy, catalog and model versions, and the values of the facts used.
 */
export interface DecisionRecord {
  id: string;
  at: number;
  /** Tact's profile id, or `anon:<identifier>` for a subject with no profile yet. */
  profileKey: string;
  /** The identifier the caller sent. */
  subject: string;
  placement: string;
  channel: string;
  context: Record<string, unknown>;
  policyVersion: number;
  catalogVersion: number;
  modelVersion: string;
  /** Experiment arm: "treatment", or "holdout" when the policy's holdout kept this subject out. */
  arm: 'treatment' | 'holdout';
  /**
   * The placement's experiment and the subject's arm in it ("holdout" when the global holdout kept
   * them out). `variant` is the content variant the arm pinned (shown with probability 1 whenever
   * its action is chosen), null when it pins none — recorded since 2026-12-03, so a reader (uplift's
   * propensities) need not guess which version of the experiments document was in force; older
   * records lack it.
   */
  experiment?: { id: string; arm: string; variant?: { action: string; variant: string } | null };
  /**
   * The person the placement's experiment or the global holdout assigned (src/decide/experiment-unit.ts:
   * the value of the profile's oldest identity), when either applied: with the salt it fixes the arm.
   */
  unit?: string;
  choices: Choice[];
  /** Every candidate that reached scoring, best first. */
  scored: ScoreTrace[];
  /** Every other candidate, grouped by the stage, rule and reason that excluded it. */
  excluded: ExclusionTrace[];
  /** Values of every fact a rule read (see facts.ts), times as ISO strings. */
  facts: Record<string, unknown>;
  /** Facts a rule read that the subject did not have at all. */
  absentFacts: string[];
  /** The plain sentences. */
  operator: string;
  customer: string;
  /** Candidates excluded per stage. */
  excludedByStage: Partial<Record<StageName, number>>;
  handoff?: { territory: string; queue: string };
  /** The subject's ladder segment at decision time (its first segment; null in none); absent when no models are wired. */
  segment?: string | null;
  /** The subject's micro-segment index under `microSegmentModel` at decision time (null before one is trained). */
  microSegment?: number | null;
  /** The micro-segments model version the index is from, e.g. "micro-segments@2". */
  microSegmentModel?: string | null;
  /** Bandit selection: the model that chose and the context vector its outcomes are learned at. */
  bandit?: { model: string; features: number[] };
}
