import type { CompiledCap } from '../policy-compile.js';
import { clock, inWindow, localMinutes } from './local-time.js';
import { exclude, type Candidate, type Stage, type StageContext } from './types.js';

const span = (ms: number) => (ms % 86_400_000 === 0 ? `${ms / 86_400_000} day${ms === 86_400_000 ? '' : 's'}` : ms % 3_600_000 === 0 ? `${ms / 3_600_000} h` : `${Math.round(ms / 60_000)} min`);

/**
 * Contact policy, in this order: quiet hours in the subject's time zone, caps per channel / topic
 * / action over rolling windows (counted across all actions), suppression of an action after N
 * dismissals, and global volume budgets shared fairly across actions (each action may use its
 * weighted share of the window's budget; late in the window, what others left is open to all).
 *
 * @example
 * contactPolicy(candidates, ctx); // e.g. excluded by "email cap": "2 of at most 2 email contacts in 7 days"
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
      if (n >= p.dismissals.count) exclude(c, 'contact policy', 'dismissals', `the subject dismissed it ${p.dismissals.count} times in ${span(p.dismissals.windowMs)}, the most the policy allows`);
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
      // Weight 0 is no share, even when every action of the channel weighs 0 (0 / 0 would be no limit).
      const share = c.action.budgetWeight > 0 && weights > 0 ? (b.max * c.action.budgetWeight) / weights : 0;
      const used = use.byAction.get(c.action.id) ?? 0;
      if (used >= share && elapsed < b.borrowAfter) {
        // An action may send while it has sent less than its share: ⌈share⌉ contacts in all.
        const why = share > 0 ? `it used its fair share of the ${channel} budget (${used} of ${Math.ceil(share)} this ${span(b.windowMs)} window)` : `it has no share of the ${channel} budget (its budgetWeight is 0)`;
        exclude(c, 'contact policy', b.name, `${why}; unused shares open to all after ${Math.round(b.borrowAfter * 100)}% of the window`);
      }
    }
  }
};

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
  const channel = ctx.placement.channel;
  const limits: { left: number; about: (c: Candidate) => boolean }[] = [];
  for (const cap of ctx.policy.caps) {
    if (cap.channel && cap.channel !== channel) continue;
    const about = capAbout(cap);
    // Exact here: a candidate it is about passed the cap, so the count is below its max.
    if (live.some(about)) limits.push({ left: cap.max - ctx.contacts.count(ctx.now - cap.windowMs, cap), about });
  }
  for (const b of ctx.policy.budgets) if (b.channel === channel) limits.push({ left: b.max - ctx.contacts.budgetUse(b, ctx.now).total, about: () => true });
  const binding = limits.filter((l) => l.left < live.length);
  if (!binding.length) return undefined;
  return (c, chosen) => binding.every((l) => !l.about(c) || chosen.filter(l.about).length < l.left);
}

function capStage(cap: CompiledCap, live: Candidate[], ctx: StageContext, channel: string): void {
  if (cap.channel && cap.channel !== channel) return;
  const about = capAbout(cap);
  if (!live.some((c) => !c.out && about(c))) return;
  // Exact below the max; at or above it, at least the max (the ledger keeps what caps need: contact-ledger.ts).
  const n = ctx.contacts.count(ctx.now - cap.windowMs, cap);
  if (n < cap.max) return;
  const what = [cap.action ? `"${cap.action}"` : '', cap.topic ? `${cap.topic}` : '', cap.channel ?? ''].filter(Boolean).join(' ') || 'all';
  const reason = cap.max > 0 ? `the subject had ${cap.max} ${what} contacts in ${span(cap.windowMs)}, the most the cap allows` : `the cap allows no ${what} contacts in ${span(cap.windowMs)}`;
  for (const c of live) if (!c.out && about(c)) exclude(c, 'contact policy', cap.name, reason);
}
