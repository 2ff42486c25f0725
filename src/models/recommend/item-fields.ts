import type { Shape } from '../../rules/rule-names.js';

/**
 * What a rule's `item` holds: its `id` (a string) and the attributes the recommendations settings
 * give items (`items.<id>`). That is every field an item has — the recommender knows nothing
 * else of it — so a rule reading another (`item.price` with no item priced, `item.prise`) fails
 * on every item: refused when written, naming the field and the closest item field. An attribute
 * only some items have is taken (on the others the rule cannot be evaluated, and the answer says
 * so: item-filter.ts); its values are the operator's data, of any type.
 *
 * @example
 * itemShape({ 'sku-1': { name: 'Trail shoe', price: 90 } }); // names: id, name, price
 */
export function itemShape(items: Readonly<Record<string, unknown>> | undefined): Shape {
  const names: Record<string, Shape> = { id: { kind: 'value', what: 'a string (the item id)' } };
  for (const attrs of Object.values(items ?? {})) {
    if (!attrs || typeof attrs !== 'object') continue;
    for (const k of Object.keys(attrs)) if (!Object.hasOwn(names, k)) names[k] = { kind: 'open' };
  }
  return { kind: 'names', noun: 'field of any item', plural: 'item fields (its id and the attributes in `recommendations.items`)', names };
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
