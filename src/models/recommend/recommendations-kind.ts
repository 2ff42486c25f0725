import { type DocumentKind, type StoredWarning, unknownFields } from '../../config/document-kind.js';
import { checkRecommendationNames } from '../../decide/recommend/recommend-names.js';
import type { FieldProblem } from '../../errors/tact-error.js';
import { checkCel, checkNumber, checkStrings, checkText, isObject } from '../kind-checks.js';

/**
 * What recommendations learn from and the business filters they obey.
 *
 * @example
 * { interactions: [{ event: 'Product Viewed', property: 'product_id' }, { event: 'Order Completed', property: 'products[].product_id' }],
 *   history: ['viewed_products', 'purchased_products'], purchased: ['purchased_products'],
 *   outOfStock: ['sku-9'], items: { 'sku-1': { name: 'Trail shoe', category: 'shoes' } },
 *   rule: 'item.category != "gift-card"', placements: { checkout: { rule: 'item.price < 30.0' } } }
 */
export interface RecommendationsDoc {
  /** Events whose property names the item a subject touched (training data). */
  interactions?: { event: string; property: string }[];
  /** Features (unique sets) holding the subject's recent items, read fresh at request time. */
  history?: string[];
  /** Leave out the items of the `history` features (default true); purchased items are left out regardless. */
  excludeHistory?: boolean;
  /** Features holding what the subject bought: never recommended. */
  purchased?: string[];
  outOfStock?: string[];
  /** Catalog attributes by item id (labels for explanations, fields for rules). */
  items?: Record<string, Record<string, unknown>>;
  /** CEL over `item` (id and attributes) and the profile's facts: only items for which it holds. */
  rule?: string;
  placements?: Record<string, { rule?: string; exclude?: string[] }>;
  /** `auto` (default): EASE while the window holds at most `easeMaxItems` items, co-occurrence over all items beyond; `ease`: EASE on the `easeMaxItems` most popular, the rest without neighbours. */
  algorithm?: 'auto' | 'ease' | 'cooccurrence';
  easeMaxItems?: number;
  lambda?: number;
  shrinkage?: number;
  /** Neighbours kept per item in the stored model (default 100). */
  neighbours?: number;
  /** Days of interactions to train on (default 90). */
  windowDays?: number;
}

/**
 * The keys of an interaction and of a placement: another is refused, since saved it would be
 * ignored (interactions are not weighted; a misspelt placement `rule` is no rule at all). An
 * item's attributes (`items.<id>`) are the operator's own and take any key.
 */
const INTERACTION_FIELDS = ['event', 'property'] as const satisfies readonly (keyof NonNullable<RecommendationsDoc['interactions']>[number])[];
const PLACEMENT_FIELDS = ['rule', 'exclude'] as const satisfies readonly (keyof NonNullable<RecommendationsDoc['placements']>[string])[];

/**
 * The largest `easeMaxItems` a training fits in reasonable time. EASE's inverse grows with the
 * cube of the items: measured on 2 cores / Node 20 (`npm run bench -- ease`; docs/models.md §7) a
 * whole fit of 1,000 items 0.2 s, 2,000 items 0.7 s, 3,000 items 2.2 s, 5,000 items 7.1 s, and a
 * training fits twice (a comparison with the live version once more). Until 2026-12-07, by the
 * row-by-row Cholesky inverse: 1,000 items 1.0 s, 2,000 6.2 s, 3,000 26 s, and this was 2,000.
 */
export const EASE_REASONABLE_ITEMS = 5_000;

/**
 * A warning when `easeMaxItems` lets EASE fit more items than train in reasonable time (applied
 * all the same: a catalog of that size may never come): what a fit would take, from the measured
 * 7.1 s at 5,000 items scaled by the cube. Until 2026-12-06 up to 20,000 was taken without a word,
 * though that many items took hours (minutes since 2026-12-07).
 *
 * @example
 * easeSizeWarnings({ easeMaxItems: 12000 }); // [{ field: 'easeMaxItems', message: 'The `easeMaxItems` (12000) lets … about 2 min a fit …' }]
 */
export function easeSizeWarnings(b: RecommendationsDoc): StoredWarning[] {
  const n = b.easeMaxItems;
  if (typeof n !== 'number' || n <= EASE_REASONABLE_ITEMS || b.algorithm === 'cooccurrence') return [];
  const seconds = 7.1 * (n / 5_000) ** 3;
  const about = seconds < 90 ? `${Math.round(seconds)} s` : seconds < 5_400 ? `${Math.round(seconds / 60)} min` : `${Math.round(seconds / 360) / 10} hours`;
  return [{
    field: 'easeMaxItems',
    message: `The \`easeMaxItems\` (${n}) lets EASE fit up to ${n.toLocaleString('en-US')} items, about ${about} a fit on 2 cores, and a training fits twice (a comparison with the live version once more): its time grows with the cube of the items (measured: 1,000 items 0.2 s, 2,000 items 0.7 s, 3,000 items 2.2 s, 5,000 items 7.1 s a fit). Applied all the same; at most ${EASE_REASONABLE_ITEMS.toLocaleString('en-US')} keeps a training within about 20 s, co-occurrence and popularity covering the rest of the catalog.`,
  }];
}

/** Compiled: the document with its defaults. */
export type CompiledRecommendations = Required<Omit<RecommendationsDoc, 'rule'>> & { rule?: string };

/**
 * Recommendations (`recommendations` in tact.config.yaml).
 *
 * @example
 * settings.get(recommendationsKind).easeMaxItems; // 1000 by default
 */
export const recommendationsKind: DocumentKind<RecommendationsDoc, CompiledRecommendations> = {
  kind: 'recommendations',
  configKey: 'recommendations',
  fields: ['interactions', 'history', 'excludeHistory', 'purchased', 'outOfStock', 'items', 'rule', 'placements', 'algorithm', 'easeMaxItems', 'lambda', 'shrinkage', 'neighbours', 'windowDays'] satisfies (keyof RecommendationsDoc)[],
  description: 'Interaction events to learn item neighbours from, the history features, and the business filters of recommendations.',
  empty: {},
  check(body: unknown): FieldProblem[] {
    if (!isObject(body)) return [{ field: 'recommendations', message: 'The recommendations settings must be an object.' }];
    const b = body as RecommendationsDoc;
    const p: FieldProblem[] = [];
    if (b.interactions !== undefined && !Array.isArray(b.interactions)) p.push({ field: 'interactions', message: 'The `interactions` must be a list of { event, property }.' });
    (Array.isArray(b.interactions) ? b.interactions : []).forEach((x, i) => {
      checkText(p, `interactions[${i}].event`, x?.event, 'an event name');
      checkText(p, `interactions[${i}].property`, x?.property, 'the property path of the item id, e.g. "product_id" or "products[].product_id"');
      p.push(...unknownFields(x, INTERACTION_FIELDS, `interactions[${i}]`));
    });
    checkStrings(p, 'history', b.history);
    checkStrings(p, 'purchased', b.purchased);
    if (b.excludeHistory !== undefined && typeof b.excludeHistory !== 'boolean') p.push({ field: 'excludeHistory', message: 'The `excludeHistory` must be true or false.' });
    checkStrings(p, 'outOfStock', b.outOfStock);
    if (b.items !== undefined && (!isObject(b.items) || Object.values(b.items).some((v) => !isObject(v)))) p.push({ field: 'items', message: 'The `items` must map item ids to objects of attributes.' });
    checkCel(p, 'rule', b.rule, true);
    if (b.placements !== undefined && !isObject(b.placements)) p.push({ field: 'placements', message: 'The `placements` must map placement names to { rule, exclude }.' });
    for (const [name, pl] of Object.entries(isObject(b.placements) ? b.placements : {})) {
      if (!isObject(pl)) p.push({ field: `placements.${name}`, message: 'A placement must be an object with `rule` and/or `exclude`.' });
      else {
        checkCel(p, `placements.${name}.rule`, pl.rule, true);
        checkStrings(p, `placements.${name}.exclude`, pl.exclude);
        p.push(...unknownFields(pl, PLACEMENT_FIELDS, `placements.${name}`));
      }
    }
    if (b.algorithm !== undefined && !['auto', 'ease', 'cooccurrence'].includes(b.algorithm)) p.push({ field: 'algorithm', message: 'The `algorithm` must be auto, ease or cooccurrence.' });
    checkNumber(p, 'easeMaxItems', b.easeMaxItems, 1, 20_000, true);
    checkNumber(p, 'lambda', b.lambda, 0, 1e6);
    // λ = 0 leaves XᵀX singular as soon as an item has no interactions (e.g. held out): EASE cannot invert it.
    if (b.lambda === 0) p.push({ field: 'lambda', message: 'The `lambda` must be above 0 (EASE adds it to the diagonal of XᵀX to invert it), up to 1000000.' });
    checkNumber(p, 'shrinkage', b.shrinkage, 0, 1e6);
    checkNumber(p, 'neighbours', b.neighbours, 1, 10_000, true);
    checkNumber(p, 'windowDays', b.windowDays, 1, 3650, true);
    return p;
  },
  // `history` / `purchased` naming a feature not defined read as empty; refused when written.
  checkStored: checkRecommendationNames,
  warnStored: async (b) => easeSizeWarnings(b),
  compile: (b) => ({
    interactions: b.interactions ?? [],
    history: b.history ?? [],
    excludeHistory: b.excludeHistory ?? true,
    purchased: b.purchased ?? [],
    outOfStock: b.outOfStock ?? [],
    items: b.items ?? {},
    rule: b.rule,
    placements: b.placements ?? {},
    algorithm: b.algorithm ?? 'auto',
    easeMaxItems: b.easeMaxItems ?? 1000,
    lambda: b.lambda ?? 200,
    shrinkage: b.shrinkage ?? 10,
    neighbours: b.neighbours ?? 100,
    windowDays: b.windowDays ?? 90,
  }),
};
