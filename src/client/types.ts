/**
 * The types of Tact's decision, outcome and profile APIs as a client sees them (JSON: times are
 * ISO-8601 strings). src/client/client.test.ts checks them against the server's /openapi.json.
 */

/** An inferred number with its interval, evidence and the level it comes from. */
export interface Estimate {
  value: number;
  low: number;
  high: number;
  level: number;
  evidence: number;
  source: 'population' | 'segment' | 'micro-segment' | 'personal';
  status: 'learning' | 'established';
  modelVersion: string;
  updatedAt: string;
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
  held?: { action: string; reviewId: string };
  explanation?: string;
  estimate?: Estimate;
  factors?: Factor[];
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
    experiment?: { arm: string };
    excludedByStage?: Record<string, number>;
    handoff?: { territory: string; queue: string };
    candidates?: unknown[];
    facts?: Record<string, unknown>;
  };
  outcomes?: OutcomeRecord[];
}

/** The body of POST /v1/outcomes. */
export interface OutcomeRequest {
  type: 'impression' | 'click' | 'dismissal' | 'conversion' | 'unsubscribe' | 'complaint' | (string & {});
  decisionId?: string;
  subject?: string;
  action?: string;
  value?: number;
  messageId?: string;
  timestamp?: string;
}

/** One outcome as credited to one decision (or to none). */
export interface OutcomeRecord {
  id: string;
  at: string;
  type: string;
  value: number | null;
  decisionId: string | null;
  action: string | null;
  credit: number;
  reward: number;
  success: boolean;
}

/** The answer of POST /v1/outcomes. */
export interface OutcomeResponse {
  recorded: OutcomeRecord[];
  duplicate: boolean;
}

/** The filters of GET /v1/decisions. */
export interface DecisionQuery {
  subject?: string;
  action?: string;
  placement?: string;
  from?: string;
  to?: string;
  limit?: number;
}

/** A profile: facts only (see docs/collection.md). */
export interface Profile {
  id: string;
  traits: Record<string, unknown>;
  features: Record<string, { value: unknown; kind: string; events: number; firstAt: string | null; lastAt: string | null }>;
  events: Record<string, { count: number; first: string | null; last: string | null }>;
  consent: Record<string, { granted: boolean; at: string | null; messageId: string }>;
  lifecycle: { stage: string | null; valueTier: string | null };
  timezone: string | null;
  [more: string]: unknown;
}

/** An error answer: a stable code, a sentence, and the fields that were wrong. */
export interface ApiErrorBody {
  error: string;
  message: string;
  errorId: string;
  problems?: { field: string; message: string }[];
}
