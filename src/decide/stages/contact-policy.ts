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
    const tz = ctx.subject.timezone ?? q.timezone;
    ctx.facts.add('timezone');
    const m = localMinutes(ctx.now, tz) ?? localMinutes(ctx.now, q.timezone) ?? 0;
    if (inWindow(m, q.fromMin, q.toMin)) {
      for (const c of live) exclude(c, 'contact policy', 'quiet hours', `it is ${clock(m)} in ${tz}, inside the quiet hours ${q.label} for ${channel}`);
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
      const share = (b.max * c.action.budgetWeight) / weights;
      const mine = use.byAction.get(c.action.id) ?? 0;
      if (mine >= share && elapsed < b.borrowAfter) {
        exclude(c, 'contact policy', b.name, `it used its fair share of the ${channel} budget (${mine} of ${Math.floor(share)} this ${span(b.windowMs)} window); unused shares open to all after ${Math.round(b.borrowAfter * 100)}% of the window`);
      }
    }
  }
};

function capStage(cap: CompiledCap, live: Candidate[], ctx: StageContext, channel: string): void {
  if (cap.channel && cap.channel !== channel) return;
  const about = (c: Candidate) => (!cap.topic || c.action.topics.includes(cap.topic)) && (!cap.action || cap.action === c.action.id);
  if (!live.some((c) => !c.out && about(c))) return;
  // Exact below the max; at or above it, at least the max (the ledger keeps what caps need: contact-ledger.ts).
  const n = ctx.contacts.count(ctx.now - cap.windowMs, cap);
  if (n < cap.max) return;
  const what = [cap.action ? `"${cap.action}"` : '', cap.topic ? `${cap.topic}` : '', cap.channel ?? ''].filter(Boolean).join(' ') || 'all';
  for (const c of live) if (!c.out && about(c)) exclude(c, 'contact policy', cap.name, `the subject had ${cap.max} ${what} contacts in ${span(cap.windowMs)}, the most the cap allows`);
}
