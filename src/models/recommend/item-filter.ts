import { testRule, type CompiledRule } from '../../rules/cel.js';

/** A rule over `item` with the field it was written in (`rule`, `placements.checkout.rule`, `filters.rule`, `recs.recommend.rule`). */
export interface ItemRule {
  field: string;
  rule: CompiledRule;
}

/** Why an item of a caller's list was left out. */
export type DropReason = 'purchased' | 'out of stock' | 'excluded' | 'rule';

/** An item of a caller's list left out, and why. @example { id: 'sku-9', reason: 'rule', rule: 'placements.search.rule' } */
export interface DroppedItem {
  id: string;
  reason: DropReason;
  /** The rule that did not hold (or could not be evaluated), for reason "rule". */
  rule?: string;
  /** Why the rule could not be evaluated on this item ("No such key: price"). */
  error?: string;
}

/**
 * A rule that could not be evaluated on some of the items it was asked about: how many, of how
 * many, the first error and the first items it failed on.
 *
 * @example { rule: 'filters.rule', failed: 2, asked: 4, error: 'No such key: price', items: ['c', 'd'] }
 */
export interface RuleErrors {
  rule: string;
  failed: number;
  asked: number;
  error: string;
  items: string[];
}

/** Item ids kept per rule in RuleErrors.items. */
const SHOWN = 10;

/**
 * The rules of a request over items, evaluated in order (the first that does not hold decides),
 * counting per rule the items it was asked about and those it could not be evaluated on. An item
 * a rule cannot be evaluated on (a field it lacks, a type it does not expect) is left out — it
 * cannot be known to pass — but never in silence: `errors()` says which rule, on how many, why.
 *
 * @example
 * const f = itemRules([{ field: 'filters.rule', rule: compileRule('item.price < 30.0') }], vars, (id) => ({ id }));
 * f.test('c'); // { pass: false, rule: 'filters.rule', error: 'No such key: price' }
 * f.errors(); // [{ rule: 'filters.rule', failed: 1, asked: 1, error: 'No such key: price', items: ['c'] }]
 */
export function itemRules(rules: readonly ItemRule[], vars: Record<string, unknown>, itemOf: (id: string) => Record<string, unknown>) {
  const stats = rules.map(() => ({ asked: 0, failed: 0, error: '', items: [] as string[] }));
  // One copy of the variables for every item, getters kept: a spread would work out `lifecycle`
  // (lifecycleVar) for every request, where only a rule reading it should.
  const v: Record<string, unknown> = Object.defineProperties({}, Object.getOwnPropertyDescriptors(vars));
  return {
    test(id: string): { pass: true } | { pass: false; rule: string; error?: string } {
      if (!rules.length) return { pass: true };
      v.item = itemOf(id);
      for (let k = 0; k < rules.length; k++) {
        const s = stats[k];
        s.asked++;
        const r = testRule(rules[k].rule, v);
        if (r.pass) continue;
        if (r.error === undefined) return { pass: false, rule: rules[k].field };
        if (s.failed++ === 0) s.error = r.error;
        if (s.items.length < SHOWN) s.items.push(id);
        return { pass: false, rule: rules[k].field, error: r.error };
      }
      return { pass: true };
    },
    errors(): RuleErrors[] {
      return rules.flatMap((r, k) => (stats[k].failed ? [{ rule: r.field, failed: stats[k].failed, asked: stats[k].asked, error: stats[k].error, items: [...stats[k].items] }] : []));
    },
  };
}

/**
 * One sentence per rule that could not be evaluated on some items; a rule that failed on every
 * item it was asked about is a configuration (or request) error, and the sentence says to check it.
 *
 * @example
 * ruleErrorSentences([{ rule: 'filters.rule', failed: 2, asked: 4, error: 'No such key: price', items: ['c', 'd'] }]);
 * // 'The rule `filters.rule` could not be evaluated on 2 of the 4 items it was asked about (No such key: price; c, d): they are left out.'
 */
export function ruleErrorSentences(errors: readonly RuleErrors[]): string {
  return errors.map((e) => {
    const which = `(${e.error}; ${listed(e.items, e.failed)})`;
    if (e.failed === e.asked) return `The rule \`${e.rule}\` could not be evaluated on ${e.asked === 1 ? 'the one item' : `any of the ${e.asked} items`} it was asked about ${which}: every item it was asked about is left out; check the rule.`;
    return `The rule \`${e.rule}\` could not be evaluated on ${e.failed} of the ${e.asked} items it was asked about ${which}: ${e.failed === 1 ? 'it is' : 'they are'} left out.`;
  }).join(' ');
}

/**
 * The items of a caller's list that were left out, in one sentence for the operator.
 *
 * @example
 * droppedSentence([{ id: 'sku-b', reason: 'purchased' }]); // "Left out of the caller's list: sku-b (already purchased)."
 */
export function droppedSentence(dropped: readonly DroppedItem[]): string {
  if (!dropped.length) return '';
  const why = (d: DroppedItem) => (d.reason === 'purchased' ? 'already purchased' : d.reason === 'rule' ? `rule \`${d.rule}\`${d.error ? ` could not be evaluated: ${d.error}` : ''}` : d.reason);
  const shown = dropped.slice(0, SHOWN).map((d) => `${d.id} (${why(d)})`).join(', ');
  return `Left out of the caller's list: ${shown}${dropped.length > SHOWN ? ` and ${dropped.length - SHOWN} more` : ''}.`;
}

/** "a, b, c" — and "and 3 more" past the ids kept. */
function listed(ids: readonly string[], total: number): string {
  const more = total - ids.length;
  return `${ids.slice(0, 5).join(', ')}${ids.length > 5 || more > 0 ? ` and ${total - Math.min(ids.length, 5)} more` : ''}`;
}
