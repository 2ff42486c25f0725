import type { Shape } from '../../rules/rule-names.js';

/**
 * What a rule's `item` holds: its `id` (a string) and the attributes the recommendations settings
 * give items (`items.<id>`). That is every field an item has — the recommender knows nothing
 * else of it — so a rule reading another (`item.price` with no item priced, `item.prise`) fails
 * on every item: refused when written, naming the field and the closest item field. An attribute
 * only some items have is taken (on the others the rule cannot be evaluated, and the answer says
 * so: item-filter.ts). An attribute every item that has it holds as a number, a string, true or
 * false, or a list is declared so (`item.price < "30"` fails for every item: rule-types.ts);
 * one of mixed types, null or an object is the operator's data, of any type.
 *
 * @example
 * itemShape({ 'sku-1': { name: 'Trail shoe', price: 90 } }); // names: id, name (a string …), price (a number …)
 */
export function itemShape(items: Readonly<Record<string, unknown>> | undefined): Shape {
  const names: Record<string, Shape> = { id: { kind: 'value', what: 'a string (the item id)' } };
  const kinds = new Map<string, string | null>();
  for (const attrs of Object.values(items ?? {})) {
    if (!attrs || typeof attrs !== 'object') continue;
    for (const [k, v] of Object.entries(attrs)) {
      if (k === 'id') continue; // the item's id wins over an attribute of that name (recommender.ts)
      const kind = kindOf(v);
      kinds.set(k, kinds.has(k) && kinds.get(k) !== kind ? null : kind);
    }
  }
  // 'true or false' bare: the words rule-names.ts takes as a condition a rule may give whole (`item.sale`).
  for (const [k, kind] of kinds) names[k] = !kind ? { kind: 'open' } : { kind: 'value', what: kind === 'true or false' ? kind : `${kind} (in every item that has it)` };
  return { kind: 'names', noun: 'field of any item', plural: 'item fields (its id and the attributes in `recommendations.items`)', names };
}

/** What an attribute's value is to a rule, in the words of rule-names.ts's shapes; null when a rule may not rely on it. */
function kindOf(v: unknown): string | null {
  if (typeof v === 'number') return 'a number';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'boolean') return 'true or false';
  return Array.isArray(v) ? 'a list' : null;
}

const cache = new WeakMap<object, Shape>();

/**
 * itemShape of a compiled settings' `items`, computed once per version of the settings (a catalog
 * of 20,000 items is not walked per request).
 *
 * @example
 * cachedItemShape(settings.get(recommendationsKind).items);
 */
export function cachedItemShape(items: Readonly<Record<string, unknown>>): Shape {
  let s = cache.get(items);
  if (!s) cache.set(items, (s = itemShape(items)));
  return s;
}
