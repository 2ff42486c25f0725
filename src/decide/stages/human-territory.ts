import type { CompiledTerritory } from '../policy-compile.js';
import type { Hold } from '../records.js';
import { isReviewedContent } from './approved-content.js';
import { exclude, noteRuleError, runCheck, type Candidate, type Stage, type StageContext } from './types.js';

/**
 * Whether a human-territory entry covers the subject as a whole: by one of its accounts, by an
 * active flag, or by a CEL segment that never reads `action` (judged once a decision, for every
 * candidate: runCheck keeps its result). An entry whose `when` reads `action` is judged per
 * candidate instead (humanTerritory).
 *
 * @example
 * coversSubject(ctx.policy.territory[0], ctx); // true: the subject is in the account `acme`
 */
function coversSubject(t: CompiledTerritory, ctx: StageContext): boolean {
  if (t.accounts.length) {
    ctx.facts.add('accounts');
    if (t.accounts.some((a) => ctx.subject.accounts.includes(a))) return true;
  }
  if (t.flags.length) {
    for (const f of t.flags) ctx.facts.add(`flags.${f}`);
    if (t.flags.some((f) => ctx.subject.flags.has(f))) return true;
  }
  // A segment rule reads only the subject: it holds with no candidate at all (a placement with no action).
  if (!t.when?.subjectOnly) return false;
  const r = runCheck(t.when, undefined as unknown as Candidate, ctx);
  noteRuleError(ctx, 'human territory', t.when, r, 'did not hold');
  return r.pass;
}

/**
 * Human territory: a subject the policy marks human-owned is handed to a person (every remaining
 * candidate yields to the handoff, which the pipeline returns as the one choice). An entry whose
 * `when` reads `action` ("credit" in action.topics) owns the candidates it holds for: each is
 * excluded, as the queue's to offer, and the others are decided as usual — unless it held for
 * every candidate still in, when the subject is handed to its queue. Otherwise each high-stakes
 * action is marked: a reviewer rejected it recently → excluded; a review is pending (and not
 * expired) → "pending"; a person approved it within the policy's `review.approvalValidFor` →
 * "approved" (deliverable); else "review" (held if chosen: a review expired unanswered, or an
 * approval that lapsed undelivered, is asked for again).
 *
 * @example
 * const territory = humanTerritory(candidates, ctx); // the territory when handed off
 */
export function humanTerritory(candidates: Candidate[], ctx: StageContext): CompiledTerritory | undefined {
  let live = 0;
  for (const c of candidates) if (!c.out) live++;
  let owned = 0;
  let first: CompiledTerritory | undefined;
  for (const t of ctx.policy.territory) {
    if (coversSubject(t, ctx)) {
      for (const c of candidates) if (!c.out) exclude(c, 'human territory', t.name, `the subject is human territory ("${t.name}"): handed to the queue "${t.queue}"`);
      return t;
    }
    if (!t.when || t.when.subjectOnly) continue;
    // Judged per candidate (runCheck shares a result among actions alike in what the rule reads).
    for (const c of candidates) {
      if (c.out) continue;
      const r = runCheck(t.when, c, ctx);
      if (!r.pass) {
        noteRuleError(ctx, 'human territory', t.when, r, 'did not hold');
        continue;
      }
      exclude(c, 'human territory', t.name, `it is human territory for this subject ("${t.name}"): the queue "${t.queue}" offers it, not automation`);
      owned++;
      first ??= t;
    }
  }
  if (first && owned === live) return first;
  markHighStakes(candidates, ctx);
  return undefined;
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
    // Only the person's newest review of the action counts (under every key merged into them): a
    // newer one is opened only once the older no longer applied, so the older is history. Until
    // 2026-12-06 each live review counted, and a window lengthened after a review lapsed brought it
    // back beside its successor — two approvals delivered twice, or an old rejection overruling a
    // newer approval — as did two profiles' reviews joined by a merge (QA).
    const h = newestReview(ctx.holds, c.action.id);
    let rejected: Hold | undefined;
    let approved: Hold | undefined;
    let pending: Hold | undefined;
    if (h?.status === 'rejected' && (h.decidedAt ?? 0) >= rejectedSince) rejected = h;
    // An approval, or a pending review, counts only while it is of the content as the catalog has
    // it now (approved-content.ts): content edited or withdrawn since is held under a new review.
    else if (h?.status === 'approved' && (h.decidedAt ?? 0) > approvedAfter && isReviewedContent(h, c.action)) approved = h;
    else if (h?.status === 'pending' && h.createdAt > expiredBefore && isReviewedContent(h, c.action)) pending = h;
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

/**
 * Whether review `a` was opened after review `b`: by when it was opened, then by id (the order the
 * stores' `followed` reads too).
 *
 * @example
 * openedAfter(newer, older); // true
 */
export const openedAfter = (a: Pick<Hold, 'createdAt' | 'id'>, b: Pick<Hold, 'createdAt' | 'id'>): boolean => a.createdAt > b.createdAt || (a.createdAt === b.createdAt && a.id > b.id);

/**
 * The newest of the subject's reviews of an action ({@link openedAfter}), if any.
 *
 * @example
 * newestReview(ctx.holds, 'loan'); // the review decisions follow
 */
export function newestReview(holds: readonly Hold[], action: string): Hold | undefined {
  let newest: Hold | undefined;
  for (const h of holds) if (h.action === action && (!newest || openedAfter(h, newest))) newest = h;
  return newest;
}
