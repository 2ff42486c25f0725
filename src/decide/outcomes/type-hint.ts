import { closestWord } from '../../errors/edit-distance.js';
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
