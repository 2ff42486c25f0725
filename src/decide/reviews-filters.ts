import type { FieldProblem } from '../errors/tact-error.js';
import { closestWord } from '../errors/edit-distance.js';
import { blankAccount } from './flag-declarations.js';
import type { CompiledPolicy } from './policy-compile.js';

/** The sentence for a list filter sent empty or of spaces alone. */
const blank = (field: string, v: string, rest: string): FieldProblem => ({ field, message: `The \`${field}\` is ${v ? 'blank (only white space)' : 'empty'}: ${rest}` });

/**
 * The filters of GET /v1/reviews and GET /v1/flags sent empty or blank (`?queue=` from an unset
 * variable): each a problem naming it (bare: the error handler names it `querystring.…`). Until
 * 2026-12-06 each was read as no filter, and answered every review, or every open flag (QA).
 *
 * @example
 * blankFilterProblems({ queue: '' })[0].field; // 'queue'
 */
export function blankFilterProblems(q: { queue?: string; before?: string; subject?: string; account?: string }): FieldProblem[] {
  const out: FieldProblem[] = [];
  const isBlank = (v: string | undefined): v is string => v !== undefined && v.trim() === '';
  if (isBlank(q.queue)) out.push(blank('queue', q.queue, 'no review is under a queue without a name. Name the queue, or leave `queue` out for the reviews of every queue.'));
  if (isBlank(q.before)) out.push(blank('before', q.before, 'pass the `next` of the previous page, or leave `before` out for the first page.'));
  if (isBlank(q.subject)) out.push(blank('subject', q.subject, 'name the person by an identifier of theirs, or leave `subject` out for every open flag.'));
  if (isBlank(q.account)) out.push({ field: 'account', message: blankAccount(q.account, 'account', 'it has no flags. Name the account, or leave `account` out for every open flag') });
  return out;
}

/**
 * Why an empty first page of GET /v1/reviews may be a typo: its `queue` is neither the policy's
 * `review.queue` nor a human territory's queue (`?queue=reveiw`), with the closest of them. Said
 * only of an empty first page: a queue a policy named before still lists the reviews decided under
 * it, and answers without a warning. Costs no query: the policy is in memory.
 *
 * @example
 * reviewQueueWarnings('reveiw', policy, 0, undefined);
 * // [{ field: 'queue', suggestion: 'review', message: 'No queue `reveiw` is known to the policy in force; did you mean `review`? …' }]
 */
export function reviewQueueWarnings(queue: string | undefined, policy: CompiledPolicy, found: number, before: string | undefined): { field: 'queue'; message: string; suggestion?: string }[] {
  if (queue === undefined || found > 0 || before !== undefined) return [];
  const known = [policy.reviewQueue, ...policy.territory.map((t) => t.queue)];
  if (known.includes(queue)) return [];
  const near = closestWord(queue, known, queue.length <= 5 ? 1 : 2);
  const meant = near ? `; did you mean \`${near}\`?` : `: its reviews are under \`${policy.reviewQueue}\` (the policy's \`review.queue\`).`;
  return [{ field: 'queue', message: `No queue \`${queue}\` is known to the policy in force${meant} No review is under it either (queue names are case-sensitive); a queue a policy named before still lists the reviews decided under it.`, ...(near ? { suggestion: near } : {}) }];
}
