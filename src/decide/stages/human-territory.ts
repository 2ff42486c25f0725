import type { CompiledTerritory } from '../policy-compile.js';
import type { Hold } from '../records.js';
import { exclude, runCheck, type Candidate, type Stage, type StageContext } from './types.js';

/**
 * The first human-territory entry of the policy that covers the subject: by one of its accounts,
 * by an active flag, or by a CEL segment. Undefined when automation may decide.
 *
 * @example
 * territoryOf(ctx); // { name: 'key accounts', queue: 'enterprise-am', … }
 */
export function territoryOf(ctx: StageContext, probe: Candidate | undefined): CompiledTerritory | undefined {
  for (const t of ctx.policy.territory) {
    if (t.accounts.length) {
      ctx.facts.add('accounts');
      if (t.accounts.some((a) => ctx.subject.accounts.includes(a))) return t;
    }
    if (t.flags.length) {
      for (const f of t.flags) ctx.facts.add(`flags.${f}`);
      if (t.flags.some((f) => ctx.subject.flags.has(f))) return t;
    }
    // A segment rule reads only the subject: it holds with no candidate to probe (a placement with no action).
    if (t.when && (probe || t.when.subjectOnly) && runCheck(t.when, probe as Candidate, ctx).pass) return t;
  }
  return undefined;
}

/**
 * Human territory: a subject the policy marks human-owned is handed to a person (every remaining
 * candidate yields to the handoff, which the pipeline returns as the one choice). Otherwise each
 * high-stakes action is marked: a reviewer rejected it recently → excluded; a review is pending
 * (and not expired) → "pending"; a person approved it within the policy's `review.approvalValidFor`
 * → "approved" (deliverable); else "review" (held if chosen: a review expired unanswered, or an
 * approval that lapsed undelivered, is asked for again).
 *
 * @example
 * const territory = humanTerritory(candidates, ctx); // the territory when handed off
 */
export function humanTerritory(candidates: Candidate[], ctx: StageContext): CompiledTerritory | undefined {
  const probe = candidates[0] ?? undefined;
  const t = territoryOf(ctx, probe);
  if (t) {
    for (const c of candidates) if (!c.out) exclude(c, 'human territory', t.name, `the subject is human territory ("${t.name}"): handed to the queue "${t.queue}"`);
    return t;
  }
  markHighStakes(candidates, ctx);
  return undefined;
}

/**
 * Whether an approval covers the action's content as the catalog has it now: the reviewer approved
 * one content variant (or an action without variants), and it is delivered with that one. Content
 * withdrawn since (a draft again, removed) is not what the reviewer saw: it asks for a new review.
 */
function approves(h: Hold, c: Candidate): boolean {
  return h.variant === null ? !c.action.declaresVariants : c.action.variants.some((v) => v.id === h.variant);
}

const markHighStakes: Stage = (candidates, ctx) => {
  const rejectedSince = ctx.now - ctx.policy.rejectForMs;
  // A review pending for longer than `review.expireAfter` takes no verdict: the choice asks for a new one.
  const expiredBefore = ctx.now - ctx.policy.reviewExpireMs;
  // An approval not delivered within `review.approvalValidFor` lapses: what the reviewer weighed (the
  // subject's situation, the offer's terms) may have changed since, so a person is asked again.
  const approvedAfter = ctx.now - ctx.policy.approvalValidMs;
  for (const c of candidates) {
    if (c.out || !c.action.def.highStakes) continue;
    let rejected: Hold | undefined;
    let approved: Hold | undefined;
    let pending: Hold | undefined;
    for (const h of ctx.holds) {
      if (h.action !== c.action.id) continue;
      if (!rejected && h.status === 'rejected' && (h.decidedAt ?? 0) >= rejectedSince) rejected = h;
      else if (!approved && h.status === 'approved' && (h.decidedAt ?? 0) > approvedAfter && approves(h, c)) approved = h;
      else if (!pending && h.status === 'pending' && h.createdAt > expiredBefore) pending = h;
    }
    if (rejected) exclude(c, 'human territory', 'review', `a reviewer rejected it for this subject on ${new Date(rejected.decidedAt ?? 0).toISOString().slice(0, 10)}${rejected.note ? ` ("${rejected.note}")` : ''}`);
    else if (approved) {
      c.review = 'approved';
      c.hold = approved;
    } else if (pending) {
      c.review = 'pending';
      c.hold = pending;
    } else c.review = 'review';
  }
};
