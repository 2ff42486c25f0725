/**
 * The types of Tact's decision, outcome and profile APIs as a client sees them (JSON: times are
 * ISO-8601 strings). src/client/openapi.test.ts checks them against the server's /openapi.json (and,
 * where it leaves an object open, against the server's own types and answers).
 */

/**
 * An inferred number with its interval, evidence and the level it comes from (src/learn/estimate.ts
 * on the server). An action's estimate in a decision is at the `estimates.level` of the policy the
 * decision was made under, and its `updatedAt` is null (the log does not keep when the counts
 * behind it last changed); an item's estimate (recommendation placements) has its model's `dataTo`, or for a personal one the
 * time of the subject's newest history fact behind it if later.
 */
export interface Estimate {
  value: number;
  low: number;
  high: number;
  /** Interval level, e.g. 0.9 for a 90% interval. */
  level: number;
  evidence: number;
  source: 'population' | 'segment' | 'micro-segment' | 'personal';
  /** "learning" while the interval is wider than the policy's threshold (or, with `reason`, for that reason). */
  status: 'learning' | 'established';
  modelVersion: string;
  /** ISO-8601 time of its last update; null for an action's estimate in a decision. */
  updatedAt: string | null;
  /**
   * Why a "learning" estimate is learning when it is not "not enough data yet": "stale" — a baseline
   * without recent readings; "extrapolated" — a bandit's estimate at a context beyond the features it
   * learned from (held at the nearest one it learned from); "shift" — a baseline re-learning its level
   * after a run of flagged readings was taken as a shift, until the shift has held a day.
   */
  reason?: 'stale' | 'extrapolated' | 'shift' | 'pending';
  /** An action's rate: its choices still inside their attribution windows, and what they count as in the value once the delay is learned. */
  open?: { choices: number; exposure?: number };
  /** A rate's Beta posterior (α, β pseudo-counts), when it is one. */
  posterior?: { alpha: number; beta: number };
}

/** One term of a score (estimate, value, a lever, the contact cost). */
export interface Factor {
  name: string;
  value: number;
  detail?: string;
}

/** One entry of a decision's ranked answer. */
export interface Choice {
  rank: number;
  kind: 'action' | 'none' | 'handoff' | 'item';
  action?: string;
  /** A recommendation placement's item (kind "item"). */
  item?: string;
  variant?: string;
  content?: Record<string, unknown>;
  queue?: string;
  /** Absent in answers to a browser (write key). */
  score?: number;
  propensity?: number;
  /** Bound on the numerical error of `propensity` (bandit selection). */
  propensityError?: number;
  /** The probability that what this choice shows was shown (every route to it summed: a held action's stand-in); absent when it is `propensity`. */
  exposurePropensity?: number;
  held?: { action: string; reviewId: string };
  explanation?: string;
  estimate?: Estimate;
  /** Under `scoring: uplift`, when the score used it: the action's uplift over doing nothing for this subject; `estimate` stays the goal rate. */
  uplift?: Estimate;
  factors?: Factor[];
}

/** One candidate of a full explanation: scored (with its estimate and terms) or excluded (with the stage, rule and reason). */
export interface Candidate {
  action: string;
  status: 'scored' | 'excluded';
  score?: number;
  estimate?: Estimate;
  /** Under `scoring: uplift`, when the score used it: the action's uplift over doing nothing. */
  uplift?: Estimate;
  factors?: Factor[];
  /** High-stakes: needs a person, waits for one, or was approved. */
  review?: 'review' | 'pending' | 'approved';
  /** With `review: "approved"`: the review, who approved it (as the review records it) and when. */
  approval?: { reviewId: string; reviewer: string | null; at: string | null };
  stage?: string;
  rule?: string;
  reason?: string;
}

/** The body of POST /v1/decide. */
export interface DecideRequest {
  /** Any identifier: userId, anonymousId, email, or kind:value. */
  subject: string;
  placement: string;
  context?: Record<string, unknown>;
  n?: number;
  explain?: 'summary' | 'full';
}

/** A decision as POST /v1/decide and GET /v1/decisions/{id} answer it. */
export interface Decision {
  decisionId: string;
  at: string;
  placement: string;
  channel?: string;
  arm?: 'treatment' | 'holdout';
  subject?: { identifier: string; profileId: string | null };
  choices: Choice[];
  explanation: {
    customer: string;
    operator?: string;
    policyVersion?: number;
    catalogVersion?: number;
    modelVersion?: string;
    /** The experiment (or the global holdout) arm; `unit` the identifier that assigned it. */
    experiment?: { id?: string; arm: string; unit?: string };
    /** The subject's rungs of the estimates' ladder, when the decision recorded them. */
    /** `microSegment` is the index under `microSegmentModel`. */
    ladder?: { segment: string | null; microSegment: number | null; microSegmentModel: string | null };
    excludedByStage?: Record<string, number>;
    handoff?: { territory: string; queue: string };
    /** With `explain: "full"`: every candidate's verdict, the facts used, the facts absent and the context. */
    candidates?: Candidate[];
    facts?: Record<string, unknown>;
    absentFacts?: string[];
    context?: Record<string, unknown>;
  };
  outcomes?: OutcomeRecord[];
}

/**
 * Said of a subject no profile holds whose identifier names a kind near one of Tact's but none of
 * them (`emial:ana@example.com`): the answer went ahead for a subject Tact knows nothing of.
 */
export interface SubjectWarning {
  /** The field it is about (`subject`). */
  field: string;
  message: string;
  /** The identifier likely meant (`email:ana@example.com`). */
  suggestion: string;
}

/** The answer of POST /v1/decide: the decision, and (server key) `warnings` about its subject when there is something to say. */
export interface DecideResponse extends Decision {
  warnings?: SubjectWarning[];
}

/** A page of GET /v1/decisions; `warnings` about the `subject` asked about, when there is something to say. */
export interface DecisionPage {
  decisions: Decision[];
  /** The cursor of the next page (`after`); null on the last. */
  next: string | null;
  warnings?: SubjectWarning[];
}

/** The body of POST /v1/outcomes. */
export interface OutcomeRequest {
  type: 'impression' | 'click' | 'dismissal' | 'conversion' | 'unsubscribe' | 'complaint' | (string & {});
  decisionId?: string;
  subject?: string;
  action?: string;
  /** Which of a recommendation's items the outcome is of (with its `decisionId`). */
  item?: string;
  value?: number;
  messageId?: string;
  timestamp?: string;
}

/** One outcome as credited to one decision (or to none). */
export interface OutcomeRecord {
  id: string;
  at: string;
  /** The profile the outcome was recorded for (absent from the answer to a write key: a browser is not told it). */
  profileKey?: string;
  type: string;
  value: number | null;
  decisionId: string | null;
  action: string | null;
  /** The recommended item it was reported for, when it named one. */
  item?: string;
  credit: number;
  reward: number;
  success: boolean;
  /** Reported through the API, or a tracked event. */
  source: 'api' | 'event';
  /** When Tact recorded it (`at` is when it happened: earlier for a late report); absent for outcomes recorded before 2026-12-07. */
  recordedAt?: string;
}

/**
 * Said of an outcome that was recorded: its `subject`'s kind near one of Tact's (`emial:`), a `type`
 * or `action` one typo from one Tact reads (with `suggestion`), or — with `reason` — credited to no
 * decision though it fitted what it named: after the decision's attribution window
 * (`decision_past_window`), or an action no decision of the subject's chose within its window
 * (`action_not_shown`).
 */
export interface OutcomeWarning {
  /** The field it is about (`subject`, `type`, `action`, `timestamp`). */
  field: string;
  message: string;
  /** The value likely meant, when one is. */
  suggestion?: string;
  reason?: 'decision_past_window' | 'action_not_shown';
}

/** The answer of POST /v1/outcomes. */
export interface OutcomeResponse {
  recorded: OutcomeRecord[];
  duplicate: boolean;
  /** About the outcome, when there is something to say. */
  warnings?: OutcomeWarning[];
}

/** The filters of GET /v1/decisions. */
export interface DecisionQuery {
  subject?: string;
  action?: string;
  placement?: string;
  from?: string;
  to?: string;
  /** The `next` of the previous page. */
  after?: string;
  limit?: number;
}

/** A profile: facts only (see docs/collection.md). */
export interface Profile {
  id: string;
  /** The identity the asked identifier matched. */
  matchedBy: { kind: string; value: string };
  createdAt: string;
  updatedAt: string;
  firstSeenAt: string | null;
  lastSeenAt: string | null;
  eventCount: number;
  traits: Record<string, unknown>;
  features: Record<string, { value: unknown; kind: string; events: number; firstAt: string | null; lastAt: string | null; description?: string; backfill?: { state: string; progress: number } }>;
  events: Record<string, { count: number; first: string | null; last: string | null }>;
  consent: Record<string, { granted: boolean; at: string | null; messageId: string }>;
  consentHistory: { at: string; messageId: string; changes: Record<string, boolean> }[];
  /** Whether `consentHistory` is the event-time history; when not (embedded store only), from when its rows may miss changes, and why. */
  consentHistoryStatus: { complete: boolean; incompleteSince?: string; cause?: 'late_statement' | 'merge' | 'unknown'; note?: string };
  lifecycle: { stage: string | null; valueTier: string | null };
  timezone: string | null;
  /** The `context.locale` of the latest event (by event time) that carried one, as sent. */
  locale: string | null;
  identities: { kind: string; value: string; since: string }[];
  accounts: { id: string; role: string | null; traits: Record<string, unknown>; since: string }[];
  /** The flags not cleared on the person, the profiles merged into it and (with `account`) its accounts; `active` until `until` passes. */
  flags: { id: string; name: string; note: string; until: string | null; author: string; createdAt: string; active: boolean; account?: string }[];
  merges: { into: string; from: string; messageId: string; reason: string; via: { kind: string; value: string }; at: string }[];
  /** One per kind, value and reason: how many messages hit it, first and last (`at` = `lastAt`), and the last one's id. */
  identityConflicts: { messageId: string; kind: string; value: string; reason: string; count: number; firstAt: string; lastAt: string; at: string }[];
  /** The latest events (`?events=`, 20 by default). */
  recentEvents: { messageId: string; type: string; event: string | null; timestamp: string; receivedAt: string; properties: Record<string, unknown> | null; traits: Record<string, unknown> | null }[];
  note: string;
  [more: string]: unknown;
}

/** An error answer: a stable code, a sentence, and the fields that were wrong. */
export interface ApiErrorBody {
  error: string;
  message: string;
  errorId: string;
  problems?: { field: string; message: string }[];
  /** What was likely meant: the identifier of an `unknown_identifier_kind` (`email:ana@example.com`), the name of an `unknown_name` (docs/errors.md). */
  suggestion?: string;
}
