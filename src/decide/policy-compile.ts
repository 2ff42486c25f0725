import { MIN_CONCENTRATION } from '../learn/rates/concentration.js';
import { ms } from './check.js';
import { makeCheck, type Check } from './facts.js';
import { budgetName, capName } from './policy-names.js';
import { DEFAULT_RETENTION_DAYS } from './policy-retention.js';
import type { ActionFilter, Policy, RuleStage } from './policy.js';
import { accountId } from '../identity/accounts.js';

const DAY = 86_400_000;

/** A filter compiled to a predicate over an action's id, topics and the placement's channel. */
export type Matcher = (actionId: string, topics: readonly string[], channel: string) => boolean;

/** A contact cap with its window in ms. */
export interface CompiledCap {
  name: string;
  channel?: string;
  topic?: string;
  action?: string;
  max: number;
  windowMs: number;
}

/** A global volume budget with its window in ms. */
export interface CompiledBudget {
  name: string;
  channel: string;
  max: number;
  windowMs: number;
  borrowAfter: number;
}

/** A human-territory entry with its segment rule compiled. */
export interface CompiledTerritory {
  name: string;
  queue: string;
  when?: Check;
  accounts: readonly string[];
  flags: readonly string[];
}

/** A lever with its filter and condition compiled. */
export interface CompiledLever {
  name: string;
  weight: number;
  matches: Matcher;
  when?: Check;
  /** `[name, weight]` as a decision's trace lists it, made once (shared by every candidate it applies to; never changed). */
  applied: readonly [string, number];
}

/** The policy in force, compiled once per version. */
export interface CompiledPolicy {
  rules: { stage: RuleStage; check: Check; matches: Matcher }[];
  assumeGranted: ReadonlySet<string>;
  caps: readonly CompiledCap[];
  dismissals?: { count: number; windowMs: number };
  quietHours?: { fromMin: number; toMin: number; channels?: ReadonlySet<string>; timezone: string; label: string };
  budgets: readonly CompiledBudget[];
  territory: readonly CompiledTerritory[];
  reviewQueue: string;
  rejectForMs: number;
  /** How long a review may stay pending: after it, it is expired, and no verdict is taken. */
  reviewExpireMs: number;
  /** How long an approval may wait to be delivered: after it, the choice is held for a new review. */
  approvalValidMs: number;
  levers: readonly CompiledLever[];
  exploration: number;
  noneScore: number;
  estimates: { priorMean: number; priorStrength: number; personalStrength: number; groupStrength: number; minDataWeight: number; level: number; establishedWidth: number };
  /**
   * One sentence per prior strength the stored policy sets below MIN_CONCENTRATION (a version stored
   * before policy-check refused it), which `estimates` raised to the floor; empty for a checked policy.
   */
  raised: readonly string[];
  scoring: 'rate' | 'uplift';
  outcomeEvents: ReadonlyMap<string, { type: string; valuePath?: string[] }>;
  rewards: Readonly<Record<string, number | 'value'>>;
  attributionMs: number;
  attributionModel: 'last' | 'even';
  holdout?: { share: number; salt: string };
  retentionDays: number;
  /** The longest window any contact rule or attribution looks back over. */
  lookbackMs: number;
}

/**
 * The default value function: revenue − 5 × unsubscribe − 20 × complaint (issue 3's example).
 *
 * @example
 * compilePolicy({}).rewards.unsubscribe; // -5
 */
export const DEFAULT_REWARDS: Record<string, number | 'value'> = { conversion: 'value', unsubscribe: -5, complaint: -20 };

/**
 * Compiles a filter: an action matches when every list that is given names it.
 *
 * @example
 * matcher({ topics: ['marketing'] })('winback', ['marketing'], 'email'); // true
 */
export function matcher(f: ActionFilter): Matcher {
  const a = f.actions ? new Set(f.actions) : undefined;
  const t = f.topics;
  const c = f.channels ? new Set(f.channels) : undefined;
  if (!a && !t && !c) return () => true;
  return (id, topics, channel) => (!a || a.has(id)) && (!t || topics.some((x) => t.includes(x))) && (!c || c.has(channel));
}

/**
 * The interval level of the policy's estimates (0.9 by default): the level every action estimate
 * of its decisions is answered at.
 *
 * @example
 * estimateLevel({ estimates: { level: 0.8 } }); // 0.8
 */
export const estimateLevel = (p: Policy): number => p.estimates?.level ?? 0.9;

/**
 * A prior strength at least MIN_CONCENTRATION = 2, as policy-check asks of a new policy and as the
 * rate model floors its stored fits (src/models/rates/rate-model.ts): a version stored before that
 * check is raised here, so it cannot let one trial pin a rate at 0% or 100%. The sentence says so.
 */
function floorStrength(field: 'priorStrength' | 'groupStrength' | 'personalStrength', v: number, raised: string[]): number {
  if (!(v < MIN_CONCENTRATION)) return v;
  raised.push(`\`estimates.${field}\` is ${v}, below the least prior strength ${MIN_CONCENTRATION}: ${MIN_CONCENTRATION} is used (a version stored before the policy check refused it; save the policy with a strength of at least ${MIN_CONCENTRATION} to silence this).`);
  return MIN_CONCENTRATION;
}

/** The policy's `exploration.budget` when it sets none. */
export const DEFAULT_EXPLORATION_BUDGET = 0.05;

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * Compiles a checked policy: every CEL rule once, every duration to milliseconds.
 *
 * @example
 * compilePolicy({ exploration: { budget: 0.1 } }).exploration; // 0.1
 */
export function compilePolicy(p: Policy): CompiledPolicy {
  const k = p.contact ?? {};
  // An unnamed cap or budget is named by what it limits (policy-names.ts), not by its place.
  const caps = (k.caps ?? []).map((c) => {
    const windowMs = ms(c.window, DAY);
    return { name: c.name ?? capName(c, windowMs), channel: c.channel, topic: c.topic, action: c.action, max: c.max, windowMs };
  });
  // Whole ms: a budget window is whole minutes (policy-check.ts), and "1.1h" parses to 3,960,000.0000000005 ms,
  // whose windows would start a hair after the minute and leave that minute's volume uncounted.
  const budgets = (k.budgets ?? []).map((b) => {
    const windowMs = Math.round(ms(b.window, DAY));
    return { name: b.name ?? budgetName(b, windowMs), channel: b.channel, max: b.max, windowMs, borrowAfter: b.borrowAfter ?? 0.8 };
  });
  const dismissals = k.dismissals ? { count: k.dismissals.count, windowMs: ms(k.dismissals.window, 30 * DAY) } : undefined;
  const q = k.quietHours;
  const e = p.estimates ?? {};
  const attributionMs = ms(p.outcomes?.attribution?.window, 7 * DAY);
  const events = new Map<string, { type: string; valuePath?: string[] }>();
  for (const [name, m] of Object.entries(p.outcomes?.events ?? {})) events.set(name, { type: m.type, valuePath: m.value?.split('.') });
  const lookbackMs = Math.max(attributionMs, dismissals?.windowMs ?? 0, ...caps.map((c) => c.windowMs), 30 * DAY);
  const raised: string[] = [];
  return {
    rules: (p.rules ?? []).map((r) => ({ stage: r.stage, check: makeCheck(r.name, r.when, r.reason), matches: matcher(r) })),
    assumeGranted: new Set(p.consent?.assumeGranted ?? []),
    caps,
    dismissals,
    quietHours: q ? { fromMin: minutes(q.from), toMin: minutes(q.to), channels: q.channels ? new Set(q.channels) : undefined, timezone: q.timezone ?? 'UTC', label: `${q.from}–${q.to}` } : undefined,
    budgets,
    territory: (p.humanTerritory ?? []).map((t) => ({ name: t.name, queue: t.queue, when: t.when ? makeCheck(t.name, t.when) : undefined, accounts: (t.accounts ?? []).map(accountId), flags: t.flags ?? [] })),
    reviewQueue: p.review?.queue ?? 'review',
    rejectForMs: ms(p.review?.rejectFor, 30 * DAY),
    reviewExpireMs: ms(p.review?.expireAfter, 7 * DAY),
    approvalValidMs: ms(p.review?.approvalValidFor, 30 * DAY),
    levers: (p.levers ?? []).map((l) => ({ name: l.name, weight: l.weight, matches: matcher(l), when: l.when ? makeCheck(l.name, l.when) : undefined, applied: Object.freeze([l.name, l.weight] as const) })),
    exploration: p.exploration?.budget ?? DEFAULT_EXPLORATION_BUDGET,
    noneScore: p.noneScore ?? 0,
    scoring: p.scoring ?? 'rate',
    estimates: {
      priorMean: e.priorMean ?? 0.05,
      priorStrength: floorStrength('priorStrength', e.priorStrength ?? 20, raised),
      personalStrength: floorStrength('personalStrength', e.personalStrength ?? 30, raised),
      groupStrength: floorStrength('groupStrength', e.groupStrength ?? 100, raised),
      minDataWeight: e.minDataWeight ?? 0.2,
      level: estimateLevel(p),
      establishedWidth: e.establishedWidth ?? 0.05,
    },
    raised,
    outcomeEvents: events,
    rewards: { ...DEFAULT_REWARDS, ...(p.outcomes?.rewards ?? {}) },
    attributionMs,
    attributionModel: p.outcomes?.attribution?.model ?? 'last',
    holdout: p.holdout && p.holdout.share > 0 ? { share: p.holdout.share, salt: p.holdout.salt ?? 'holdout' } : undefined,
    retentionDays: p.retention?.days ?? DEFAULT_RETENTION_DAYS,
    lookbackMs,
  };
}
