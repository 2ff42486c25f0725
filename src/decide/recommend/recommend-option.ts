import type { ItemRule } from '../../models/recommend/item-filter.js';
import { compileRule, type CompiledRule } from '../../rules/cel.js';
import type { Checker } from '../check.js';

/**
 * The business filters of a recommendation placement (`kind: recommendation`), on top of those of
 * the `recommendations` settings (already purchased, configured out-of-stock items, the global
 * rule). Rules are CEL over `item` (its id and catalog attributes), the profile's facts and
 * `context`.
 *
 * @example
 * { rule: 'item.category == "shoes"', outOfStock: 'item.id in context.outOfStock', exclude: ['gift-card'] }
 */
export interface RecommendOption {
  /** Only items for which it holds. */
  rule?: string;
  /** An item for which it holds is out of stock (e.g. `item.stock == 0` or `item.id in context.outOfStock`). */
  outOfStock?: string;
  /** Never these items here. */
  exclude?: string[];
}

/** The option compiled once per catalog version; each rule keeps its field (`recommend.rule`, `recommend.outOfStock`) to say which failed. @example compileRecommend({ exclude: ['sku-9'] }) // { rules: [], exclude: ['sku-9'] } */
export interface CompiledRecommend {
  rules: ItemRule[];
  exclude: string[];
}

/**
 * Checks `placements[i].recommend` (and that only a recommendation placement has one).
 *
 * @example
 * checkRecommend(c, p, 'placements[0]');
 */
export function checkRecommend(c: Checker, p: Record<string, unknown>, at: string): void {
  c.oneOf(p.kind, `${at}.kind`, ['actions', 'recommendation']);
  const v = p.recommend;
  if (v === undefined) return;
  if (p.kind !== 'recommendation') c.add(`${at}.recommend`, `The \`${at}.recommend\` only applies to a placement of \`kind: recommendation\`.`);
  if (!c.object(v, `${at}.recommend`)) return;
  c.known(v, `${at}.recommend`, ['rule', 'outOfStock', 'exclude']);
  c.cel(v.rule, `${at}.recommend.rule`);
  c.cel(v.outOfStock, `${at}.recommend.outOfStock`);
  c.strings(v.exclude, `${at}.recommend.exclude`);
}

/**
 * Compiles a checked option.
 *
 * @example
 * compileRecommend({ outOfStock: 'item.stock == 0' }).rules.length; // 1
 */
export function compileRecommend(o: RecommendOption | undefined): CompiledRecommend {
  const rules: ItemRule[] = [];
  if (o?.rule) rules.push({ field: 'recommend.rule', rule: compileRule(o.rule, 'recommend.rule') });
  if (o?.outOfStock) rules.push({ field: 'recommend.outOfStock', rule: inStock(compileRule(o.outOfStock, 'recommend.outOfStock')) });
  return { rules, exclude: o?.exclude ?? [] };
}

/**
 * An item passes while the out-of-stock rule does not hold. Negated here, not as `!(rule)` in CEL:
 * a rule ending in a `// comment` would swallow the closing parenthesis, and a rule giving no
 * boolean is reported as what it gives ("gave number"), not as a `!` without overload.
 */
function inStock(outOfStock: CompiledRule): CompiledRule {
  return (vars) => {
    const v = outOfStock(vars);
    return typeof v === 'boolean' ? !v : v;
  };
}
