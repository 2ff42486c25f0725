import type { StoredWarning } from '../config/document-kind.js';
import { purposeKey } from '../profiles/profile-state.js';
import type { Catalog } from './catalog.js';

/**
 * A warning for each action whose `purpose` is an earlier action's but for case or surrounding
 * spaces (`advertising` after `Advertising`): consent is matched without regard to either, so the
 * two need the same consent, and two spellings in the catalog read as two purposes to whoever
 * reads it (and to rules reading `consent.<purpose>`).
 *
 * @example
 * catalogPurposeWarnings({ actions: [{ id: 'a', purpose: 'Advertising' }, { id: 'b', purpose: 'advertising' }] });
 * // [{ field: 'actions[1].purpose', message: 'The `actions[1].purpose` `advertising` of `b` is the purpose `Advertising` …' }]
 */
export function catalogPurposeWarnings(body: Catalog): StoredWarning[] {
  const actions = Array.isArray(body?.actions) ? body.actions : [];
  const first = new Map<string, string>();
  const out: StoredWarning[] = [];
  actions.forEach((a, i) => {
    const purpose = a?.purpose;
    if (typeof purpose !== 'string' || !purpose.trim()) return;
    const key = purposeKey(purpose);
    const seen = first.get(key);
    if (seen === undefined) return void first.set(key, purpose);
    if (seen === purpose) return;
    const field = `actions[${i}].purpose`;
    out.push({
      field,
      message: `The \`${field}\` \`${purpose}\` of \`${a.id}\` is the purpose \`${seen}\` of an earlier action, spelt otherwise: consent purposes are matched without regard to case or surrounding spaces, so both actions need the same consent. The catalog is applied; spell it \`${seen}\`.`,
    });
  });
  return out;
}
