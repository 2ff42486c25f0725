/**
 * The stages whose rules an operator writes.
 *
 * @example
 * RULE_STAGES.includes('suitability'); // true
 */
export const RULE_STAGES = ['eligibility', 'applicability', 'suitability'] as const;
/** A stage an operator's rule runs at. */
export type RuleStage = (typeof RULE_STAGES)[number];

/** Which actions a rule, lever or cap is about (all of them when nothing is named). */
export interface ActionFilter {
  actions?: string[];
  topics?: string[];
  channels?: string[];
}

/** A named CEL rule that must hold for the actions it is about. */
export interface PolicyRule extends ActionFilter {
  name: string;
  stage: RuleStage;
  when: string;
  /** The sentence shown when it excludes (default: names the rule and its expression). */
  reason?: string;
  description?: string;
}

/** At most `max` contacts in `window`, counted per subject, over every action that matches. */
export interface Cap {
  name?: string;
  channel?: string;
  topic?: string;
  action?: string;
  max: number;
  window: string;
}

/** At most `max` contacts on `channel` per `window` across all subjects, shared fairly by the actions. */
export interface Budget {
  name?: string;
  channel: string;
  max: number;
  window: string;
  /** Past this share of the window, capacity other actions left unused is open to all (default 0.8). */
  borrowAfter?: number;
}

/** Quiet hours, caps, dismissal suppression and global budgets. */
export interface ContactPolicy {
  caps?: Cap[];
  /** An action stops being offered to a subject who dismissed it `count` times within `window`. */
  dismissals?: { count: number; window: string };
  /** No contact on these channels between `from` and `to` in the subject's time zone. */
  quietHours?: { from: string; to: string; channels?: string[]; timezone?: string };
  budgets?: Budget[];
}

/** Subjects a person owns: matched by CEL (a segment), by account id or by an active flag. */
export interface TerritoryRule {
  name: string;
  queue: string;
  when?: string;
  accounts?: string[];
  flags?: string[];
}

/** A multiplier on the score of the actions it is about, when its condition holds. */
export interface Lever extends ActionFilter {
  name: string;
  weight: number;
  when?: string;
}

/**
 * The humans' strategy, one versioned document: rules, consent, contact limits, human territory,
 * levers, the value function, the exploration budget, holdout, retention.
 *
 * @example
 * { rules: [{ name: 'not bought', stage: 'suitability', when: '!(action.properties.product_id in features.purchased)' }],
 *   contact: { caps: [{ channel: 'email', max: 2, window: '7d' }] }, exploration: { budget: 0.05 } }
 */
export interface Policy {
  rules?: PolicyRule[];
  consent?: { assumeGranted?: string[] };
  contact?: ContactPolicy;
  humanTerritory?: TerritoryRule[];
  /**
   * Reviews of high-stakes choices: their queue, how long a rejection lasts (30d), how long a review
   * may stay pending before it expires (7d), how long an approval may wait to be delivered before a
   * new review is asked (30d).
   */
  review?: { queue?: string; rejectFor?: string; expireAfter?: string; approvalValidFor?: string };
  levers?: Lever[];
  exploration?: { budget?: number };
  /** The score of doing nothing (default 0: an action must be worth more than its contact cost). */
  noneScore?: number;
  estimates?: { priorMean?: number; priorStrength?: number; personalStrength?: number; groupStrength?: number; minDataWeight?: number; level?: number; establishedWidth?: number };
  /**
   * What an action's score multiplies: `rate` (its goal rate, the default) or `uplift` (its
   * incremental effect over doing nothing, from the `uplift` model, where established; the rate
   * otherwise, and the explanation says so).
   */
  scoring?: 'rate' | 'uplift';
  outcomes?: {
    /** Track events that are outcomes: `{ "Order Completed": { type: "conversion", value: "revenue" } }`. */
    events?: Record<string, { type: string; value?: string }>;
    /** The value function: reward per outcome type, a number or "value" (the outcome's own value, e.g. revenue). */
    rewards?: Record<string, number | 'value'>;
    attribution?: { window?: string; model?: 'last' | 'even' };
  };
  holdout?: { share: number; salt?: string };
  retention?: { days?: number };
}
