import { closestWord } from '../../errors/edit-distance.js';
import type { CompiledCatalog } from '../catalog-compile.js';

/** A warning of the decision log's answer: the field, the sentence, and the id likely meant. */
export interface LogFilterWarning {
  field: 'action' | 'placement';
  message: string;
  suggestion: string;
}

/**
 * Why an empty first page of GET /v1/decisions may be a typo: its `action` or `placement` names no
 * action or placement of the catalog in force and is a typo or two from one it has (`?action=welcom`),
 * with that id — as the outcomes' `action` is warned of (outcomes/type-hint.ts); an id far from
 * every one is no likely typo, and not warned of. Said only of an empty first page: an action or placement since removed from the catalog is
 * still found in the log, and its decisions answer without a warning. `none` and `queue:<name>` are
 * the log's own action filters, not catalog ids. Costs no query: the catalog is in memory.
 *
 * @example
 * logFilterWarnings({ action: 'welcom' }, catalog, 0);
 * // [{ field: 'action', suggestion: 'welcome', message: 'No action `welcom` is in the catalog; did you mean `welcome`? …' }]
 */
export function logFilterWarnings(q: { action?: string; placement?: string; after?: string }, catalog: CompiledCatalog, found: number): LogFilterWarning[] {
  if (found > 0 || q.after !== undefined) return [];
  const out: LogFilterWarning[] = [];
  const check = (field: 'action' | 'placement', id: string | undefined, known: ReadonlyMap<string, unknown>) => {
    if (id === undefined || known.has(id)) return;
    if (field === 'action' && (id === 'none' || id.startsWith('queue:'))) return;
    const near = closestWord(id, known.keys(), id.length <= 5 ? 1 : 2);
    if (!near) return;
    out.push({
      field,
      message: `No ${field} \`${id}\` is in the catalog; did you mean \`${near}\`? No decision in the log matches it either (ids are case-sensitive); one removed from the catalog is still found while its decisions are in the log.`,
      suggestion: near,
    });
  };
  check('action', q.action, catalog.actions);
  check('placement', q.placement, catalog.placements);
  return out;
}
