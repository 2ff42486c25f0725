import type { CompiledCap } from '../policy-compile.js';
import { clock, inWindow, localMinutes } from './local-time.js';
import { exclude, type Candidate, type Stage, type StageContext } from './types.js';
import { windowWords as span } from '../window-words.js';

/**
 * Contact policy, in this order: quiet hours in the subject's time zone, caps per channel / topic
 * / action over rolling windows (counted across all actions), suppression of an action after N
 * dismissals, and global volume budgets shared fairly across actions (each action may use its
 * weighted share of the window's budget; late in the window, what others left is open to all).
 *
 * @example
 * contactPolicy(candidates, ctx); // e.g. excluded by "email cap": "the subject had at least 2 email contacts in 7 days; the cap allows 2"
 */
export const contactPolicy: Stage = (candidates, ctx) => {
  const p = ctx.policy;
  const channel = ctx.placement.channel;
  const live = candidates.filter((c) => !c.out);
  if (!live.length) return;
  const q = p.quietHours;
  if (q && (!q.channels || q.channels.has(channel))) {
    ctx.facts.add('timezone');
    // A zone the runtime does not know (events carry what the device sent): the policy's, and the explanation says so.
    const own = ctx.subject.timezone;
    const mine = own ? localMinutes(ctx.now, own) : undefined;
    const m = mine ?? localMinutes(ctx.now, q.timezone) ?? 0;
    const where = mine !== undefined ? own : own ? `${q.timezone} (the policy's time zone: the subject's, "${own}", is not one Tact knows)` : `${q.timezone} (the policy's time zone: the subject's is not known)`;
    if (inWindow(m, q.fromMin, q.toMin)) {
      for (const c of live) exclude(c, 'contact policy', 'quiet hours', `it is ${clock(m)} in ${where}, inside the quiet hours ${q.label} for ${channel}`);
      return;
    }
  }
  for (const cap of p.caps) capStage(cap, live, ctx, channel);
  if (p.dismissals) {
    const since = ctx.now - p.dismissals.windowMs;
    for (const c of live) {
      if (c.out) continue;
      let n = 0;
      for (const d of ctx.contacts.dismissals) if (d.at >= since && d.action === c.action.id) n++;
      // Exact below the count; at or above it, at least the count (the ledger keeps the newest `count`).
      if (n >= p.dismissals.count) exclude(c, 'contact policy', 'dismissals', `the subject dismissed it at least ${n} time${n === 1 ? '' : 's'} in ${span(p.dismissals.windowMs)}; the policy stops offering it after ${p.dismissals.count}`);
    }
  }
  for (const b of p.budgets) {
    if (b.channel !== channel) continue;
    const use = ctx.contacts.budgetUse(b, ctx.now);
    const weights = ctx.budgetWeights.get(channel) ?? 1;
    const elapsed = (ctx.now - use.windowStart) / b.windowMs;
    for (const c of live) {
      if (c.out) continue;
      if (use.total >= b.max) {
        exclude(c, 'contact policy', b.name, `the ${channel} budget of ${b.max} per ${span(b.windowMs)} is spent`);
        continue;
      }
      const share = fairShare(b.max, c.action.budgetWeight, weights);
      const used = use.byAction.get(c.action.id) ?? 0;
      if (used >= share && elapsed < b.borrowAfter) {
        // An action may send while it has sent less than its share: ⌈share⌉ contacts in all.
        const why = share > 0 ? `it used its fair share of the ${channel} budget (${used} of ${Math.ceil(share)} this ${span(b.windowMs)} window)` : `it has no share of the ${channel} budget (its budgetWeight is 0)`;
        exclude(c, 'contact policy', b.name, `${why}; unused shares open to all after ${Math.round(b.borrowAfter * 100)}% of the window`);
      }
    }
  }
};

/** An action's fair share of a budget of `max`; weight 0 is no share, even when every action of the channel weighs 0 (0 / 0 would be no limit). */
const fairShare = (max: number, weight: number, weights: number) => (weight > 0 && weights > 0 ? (max * weight) / weights : 0);

/** What budgetStanding returns: a few small integers (see there). */
export type BudgetStanding = readonly number[];

/** The standing of a channel with no budget — and of a decision that does not check it (a shared store's guarded append checks the limits itself). */
export const NO_STANDING: BudgetStanding = Object.freeze([]);

/** Share bits per word of a standing: 30, so every word is a small integer (V8 keeps those in the array itself, unboxed). */
const BITS = 30;

type StandingContext = Pick<StageContext, 'policy' | 'placement' | 'contacts' | 'budgetWeights' | 'now'>;

/**
 * What the budgets of the placement's channel decide of its candidates at `ctx.now`, as a few small
 * integers: per budget, the room it leaves one decision (up to the placement's slots; 0 once spent)
 * times 2, plus 1 before the window opens to borrowing — then also which candidates used their fair
 * share, a bit each (candidate i is bit i % 30 of the budget's word ⌊i / 30⌋). The same standing
 * gives the same budget verdicts, hence the same draw and propensities: decisions for other subjects
 * take from the budgets too, so a decision checks its pipeline's standing still holds when it
 * reserves its contacts (decider.ts, with budgetStands). Empty when no budget is on the channel.
 * Numbers, not a string of a character per candidate: 100 candidates made a rope of 100 nodes,
 * about 3.4 KB per standing.
 *
 * @example
 * budgetStanding(ctx); // [7, 0b10] — room for 3 contacts, fair shares apply, the second candidate used its share
 */
export function budgetStanding(ctx: StandingContext): number[] {
  const out: number[] = [];
  standingWords(ctx, out, undefined);
  return out;
}

/**
 * Whether the budgets still stand as `standing` (budgetStanding) says, compared word by word as they
 * are computed: nothing is allocated.
 *
 * @example
 * const seen = budgetStanding(ctx); … budgetStands(ctx, seen); // false once another decision used up a candidate's share
 */
export function budgetStands(ctx: StandingContext, standing: BudgetStanding): boolean {
  return standingWords(ctx, undefined, standing);
}

/** Walks the standing's words, pushing each to `out`, or comparing each with `against` (false at the first that differs). */
function standingWords(ctx: StandingContext, out: number[] | undefined, against: BudgetStanding | undefined): boolean {
  const channel = ctx.placement.channel;
  const candidates = ctx.placement.candidates;
  let i = 0;
  for (const b of ctx.policy.budgets) {
    if (b.channel !== channel) continue;
    const use = ctx.contacts.budgetUse(b, ctx.now);
    const shares = (ctx.now - use.windowStart) / b.windowMs < b.borrowAfter;
    if (!put(out, against, i++, Math.max(0, Math.min(b.max - use.total, ctx.placement.slots)) * 2 + (shares ? 1 : 0))) return false;
    if (!shares) continue;
    const weights = ctx.budgetWeights.get(channel) ?? 1;
    let word = 0;
    for (let k = 0; k < candidates.length; k++) {
      const a = candidates[k];
      if ((use.byAction.get(a.id) ?? 0) >= fairShare(b.max, a.budgetWeight, weights)) word |= 1 << k % BITS;
      if (k % BITS === BITS - 1 || k === candidates.length - 1) {
        if (!put(out, against, i++, word)) return false;
        word = 0;
      }
    }
  }
  return !against || i === against.length;
}

const put = (out: number[] | undefined, against: BudgetStanding | undefined, i: number, word: number) => (out ? out.push(word) > 0 : against?.[i] === word);

/** Whether a cap counts a candidate's contact (its channel is checked apart). */
const capAbout = (cap: CompiledCap) => (c: Candidate) => (!cap.topic || c.action.topics.includes(cap.topic)) && (!cap.action || cap.action === c.action.id);

/** Whether a candidate may still be chosen in a decision that already chose `chosen` (each a contact). */
export type ContactRoom = (c: Candidate, chosen: readonly Candidate[]) => boolean;

/**
 * What the caps and budgets leave for one decision of several choices: each action chosen is a
 * contact, so together they stay within every cap and budget (a cap of 2 with none used yet lets a
 * decision of 3 choose 2 actions). Run after the contact-policy stage; undefined when no limit binds.
 *
 * @example
 * const fits = contactRoom(candidates, ctx); fits?.(candidate, [first]); // false when the cap is reached
 */
export function contactRoom(candidates: readonly Candidate[], ctx: StageContext): ContactRoom | undefined {
  const live = candidates.filter((c) => !c.out);
  const binding = contactLimits(candidates, ctx).filter((l) => l.left < live.length);
  if (!binding.length) return undefined;
  return (c, chosen) => binding.every((l) => !l.about(c) || chosen.filter(l.about).length < l.left);
}

/** A cap or budget of the placement's channel: how many more contacts it lets through, and which candidates it counts. */
export interface ContactLimit {
  /** In words: 'the cap "email cap"', 'the budget "weekly"'. */
  name: string;
  left: number;
  about: (c: Candidate) => boolean;
}

/**
 * The caps (about some remaining candidate) and budgets of the placement's channel with what each
 * leaves for this decision — what contactRoom binds, and what an explanation names when an action
 * had no room.
 *
 * @example
 * contactLimits(candidates, ctx).filter((l) => l.about(c)); // [{ name: 'the cap "email cap"', left: 0, about }]
 */
export function contactLimits(candidates: readonly Candidate[], ctx: StageContext): ContactLimit[] {
  const live = candidates.filter((c) => !c.out);
  const channel = ctx.placement.channel;
  const limits: ContactLimit[] = [];
  for (const cap of ctx.policy.caps) {
    if (cap.channel && cap.channel !== channel) continue;
    const about = capAbout(cap);
    // Exact here: a candidate it is about passed the cap, so the count is below its max.
    if (live.some(about)) limits.push({ name: `the cap "${cap.name}"`, left: cap.max - ctx.contacts.count(ctx.now - cap.windowMs, cap), about });
  }
  for (const b of ctx.policy.budgets) if (b.channel === channel) limits.push({ name: `the budget "${b.name}"`, left: b.max - ctx.contacts.budgetUse(b, ctx.now).total, about: () => true });
  return limits;
}

function capStage(cap: CompiledCap, live: Candidate[], ctx: StageContext, channel: string): void {
  if (cap.channel && cap.channel !== channel) return;
  const about = capAbout(cap);
  if (!live.some((c) => !c.out && about(c))) return;
  // Exact below the max; at or above it, at least the max (the ledger keeps what caps need: contact-ledger.ts).
  const n = ctx.contacts.count(ctx.now - cap.windowMs, cap);
  if (n < cap.max) return;
  const what = [cap.action ? `"${cap.action}"` : '', cap.topic ? `${cap.topic}` : '', cap.channel ?? ''].filter(Boolean).join(' ') || 'all';
  // "At least": what the ledger let go is not counted, and a cap lowered since may see more than its max.
  const reason = cap.max > 0 ? `the subject had at least ${n} ${what} contact${n === 1 ? '' : 's'} in ${span(cap.windowMs)}; the cap allows ${cap.max}` : `the cap allows no ${what} contacts in ${span(cap.windowMs)}`;
  for (const c of live) if (!c.out && about(c)) exclude(c, 'contact policy', cap.name, reason);
}
