import { closestWord } from '../../errors/edit-distance.js';
import type { UnmatchedOutcome, UnmatchedReason } from './unmatched.js';
import { windowWords } from '../window-words.js';
import type { CompiledCatalog } from '../catalog-compile.js';
import type { CompiledPolicy } from '../policy-compile.js';

/** The outcome types Tact itself reads: the browser snippet's three, and the value function's defaults. */
export const OWN_OUTCOME_TYPES = ['impression', 'click', 'dismissal', 'conversion', 'unsubscribe', 'complaint'] as const;

/**
 * A warning for an outcome `type` that nothing reads but that is one typo from a type something
 * does read — Tact's own, the policy's rewards (`outcomes.rewards`), the outcomes its tracked
 * events become (`outcomes.events`), or an action's goal. Types are free, so the outcome is
 * recorded as sent; but `clickk` earns no reward, counts as no goal and suppresses nothing, and
 * the operator should hear so. Nothing for a type that is read, or far from every such type (a
 * type of the operator's own). Short types allow one edit, longer ones two.
 *
 * @example
 * outcomeTypeWarnings('clickk', policy, catalog);
 * // [{ field: 'type', suggestion: 'click', message: 'The outcome `type` `clickk` is none …' }]
 */
export function outcomeTypeWarnings(type: string, policy: CompiledPolicy, catalog: CompiledCatalog): { field: string; message: string; suggestion: string }[] {
  if ((OWN_OUTCOME_TYPES as readonly string[]).includes(type)) return [];
  const read = new Set<string>(OWN_OUTCOME_TYPES);
  for (const t of Object.keys(policy.rewards)) read.add(t);
  for (const e of policy.outcomeEvents.values()) read.add(e.type);
  for (const a of catalog.actions.values()) read.add(a.goal);
  if (read.has(type)) return [];
  const near = closestWord(type, read, type.length <= 5 ? 1 : 2);
  if (!near) return [];
  return [{
    field: 'type',
    message: `The outcome \`type\` \`${type}\` is none Tact reads: not one of its own (${OWN_OUTCOME_TYPES.join(', ')}), of the policy's rewards, of the outcomes its events become, or an action's goal. It was recorded as sent, with reward 0, as no goal and no dismissal. Did you mean \`${near}\`?`,
    suggestion: near,
  }];
}

/**
 * A warning for an outcome naming an `action` (without a `decisionId`) that the catalog does not
 * have, that no decision of the subject's was credited with, and that is one typo from one it has
 * (`socks-ofer`). The outcome is recorded as sent — an action retired since its decisions still
 * earns their outcomes, and is credited — but one credited nothing earns no reward, counts as no
 * goal and, a dismissal, suppresses nothing. Nothing for an action far from every catalog action
 * (another system's). Until 2026-12-05 nothing was said.
 *
 * @example
 * outcomeActionWarnings('socks-ofer', catalog, false);
 * // [{ field: 'action', suggestion: 'socks-offer', message: 'The `action` `socks-ofer` is not in the catalog …' }]
 */
export function outcomeActionWarnings(action: string | undefined, catalog: CompiledCatalog, credited: boolean): { field: string; message: string; suggestion: string }[] {
  if (action === undefined || credited || catalog.actions.has(action)) return [];
  const near = closestWord(action, new Set(catalog.actions.keys()), action.length <= 5 ? 1 : 2);
  if (!near) return [];
  return [{
    field: 'action',
    message: `The \`action\` \`${action}\` is not in the catalog, and no decision of the subject's with it was credited: the outcome was recorded as sent, credited to no decision — no reward, no goal, no dismissal of an action. Did you mean \`${near}\`?`,
    suggestion: near,
  }];
}

/** A warning about an outcome: the field, the sentence, the value likely meant when there is one, and the unmatched reason when it is one. */
export interface OutcomeWarning {
  field: string;
  message: string;
  suggestion?: string;
  reason?: UnmatchedReason;
}

/**
 * Warnings for an outcome the API recorded credited to no decision though it fitted what it named:
 * the decision named, but after its attribution window (`decision_past_window`, field `timestamp`),
 * or a catalog action no decision of the subject's chose within its window (`action_not_shown`,
 * field `action`). The outcome is recorded as sent — late reports happen, and an action may have
 * been shown by another system — but it earns no reward, counts as no goal and suppresses nothing,
 * and the caller should hear so rather than find it out from the estimates. (A decision the outcome
 * does not fit is refused with a 4xx instead; an action not in the catalog is warned of by
 * outcomeActionWarnings when it is one typo from one.) Until 2026-12-06 only the log's once-a-minute
 * line and `tact_outcomes_unmatched_total` said it.
 *
 * @example
 * outcomeMissWarnings([{ id: 'o1', source: 'api', type: 'conversion', reason: 'action_not_shown', action: 'loan-offer', windowMs: 7 * 86_400_000, at }]);
 * // [{ field: 'action', reason: 'action_not_shown', message: 'No decision of the subject\'s in the 7 days before the outcome chose `loan-offer` …' }]
 */
export function outcomeMissWarnings(misses: readonly UnmatchedOutcome[]): OutcomeWarning[] {
  const out: OutcomeWarning[] = [];
  const credited = 'it was recorded as sent, credited to no decision — no reward, no goal, no dismissal of an action';
  for (const m of misses) {
    if (m.windowMs === undefined || m.at === undefined) continue;
    if (m.reason === 'decision_past_window' && m.decidedAt !== undefined) {
      out.push({
        field: 'timestamp',
        reason: m.reason,
        message: `The outcome (${iso(m.at)}) came after the attribution window of the decision \`${m.decisionId}\`: made ${iso(m.decidedAt)}, its window of ${windowWords(m.windowMs)} ended ${iso(m.decidedAt + m.windowMs)}; ${credited}. An outcome counts for a decision only within its action's window (the catalog's \`attributionWindow\`, else the policy's); send the time the outcome happened as \`timestamp\` if it was earlier than its report.`,
      });
    } else if (m.reason === 'action_not_shown') {
      out.push({
        field: 'action',
        reason: m.reason,
        message: `No decision of the subject's in the ${windowWords(m.windowMs)} before the outcome (${iso(m.at)}) chose \`${m.action}\` — its attribution window: ${credited}. Name the \`decisionId\` the customer responded to, or check that the outcome's \`subject\` is the one the action was shown to.`,
      });
    }
  }
  return out;
}

const iso = (ms: number) => new Date(ms).toISOString();
