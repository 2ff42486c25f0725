import { wilsonInterval } from '../../measure/stats/proportion-intervals.js';
import type { Settings } from '../../config/settings.js';
import { validationError } from '../../errors/tact-error.js';
import { recommend } from '../../learn/recommend/recommend.js';
import { rerank } from '../../learn/recommend/rerank.js';
import { neighbourScores } from '../../learn/recommend/neighbours.js';
import { featuresKind } from '../../profiles/features/features-kind.js';
import { featureValue } from '../../profiles/features/state.js';
import type { ProfileState } from '../../profiles/profile-state.js';
import { lifecycleKind } from '../../profiles/lifecycle.js';
import { lifecycleVar, ruleVars } from '../../profiles/profile-view.js';
import { lifecycleNames, ruleScope } from '../../profiles/rule-scope.js';
import { newProfileState } from '../../profiles/profile-state.js';
import { compileRule, type CompiledRule } from '../../rules/cel.js';
import { ruleProblem } from '../../rules/rule-types.js';
import { recommendScope } from '../../decide/decision-names.js';
import type { ModelVersion } from '../registry/model-store.js';
import type { ModelRegistry } from '../registry/registry.js';
import { recommendationsKind } from './recommendations-kind.js';
import type { RecommendationsState } from './recommend-trainer.js';
import { historyInterval } from '../../learn/recommend/score-interval.js';
import type { Estimate } from '../../learn/estimate.js';
import { personalItemEstimate, populationItemEstimate, type ItemInterval, type ItemModel } from './item-estimates.js';
import { cachedItemShape } from './item-fields.js';
import { NO_MODEL_NOTE, NO_MODEL_RERANK_NOTE, noItemNote } from './answer-notes.js';
import { itemRules, ruleErrorSentences, type DropReason, type DroppedItem, type ItemRule, type RuleErrors } from './item-filter.js';
import { popularFallback, type PopularFallback } from './popular-fallback.js';

/** A recommendation request: the subject (absent for an unknown visitor), how many, filters, placement. */
export interface RecommendationQuery {
  subject?: ProfileState;
  n: number;
  placement?: string;
  filters?: RecommendationFilters;
  /** Rules compiled by the caller (a catalog placement's), over `item`, the profile's facts and `context`. */
  rules?: readonly ItemRule[];
  /** The request's context, as rules read it (`context.outOfStock` …). */
  context?: Record<string, unknown>;
  /** The rules' variables when the caller has them (a decision's); else the subject's profile (an empty one for an unknown visitor) and `context`. */
  vars?: Record<string, unknown>;
}

/** The request's own filters. */
export interface RecommendationFilters {
  exclude?: string[];
  outOfStock?: string[];
  rule?: string;
}

/** A caller's list to re-rank, with the same filters as a recommendation. */
export interface RerankQuery extends Omit<RecommendationQuery, 'n'> {
  items: { id: string; relevance: number }[];
  maxWeight?: number;
}

/** An item of the caller's list, re-ranked. */
export interface RerankedItem {
  id: string;
  relevance: number;
  /** The blend the list is ordered by (rerank.ts): not an inference, the caller's relevance weighed with the affinity. */
  score: number;
  /** The subject's affinity: the sum of the item's neighbour weights from its history (0 when none leads to it). */
  affinity: number;
  explanation: string;
  /** When the history leads to the item: the affinity's 90% bootstrap interval and the history items behind it. */
  affinityInterval?: ItemInterval;
  /**
   * What the model infers of the subject's interest in the item — the affinity when the history
   * leads to it, else the item's share of the trained subjects (population, learning); absent for
   * an item the model does not know. Decisions log it; the HTTP answer shows it since 2026-12-06.
   */
  estimate?: Estimate;
}

/** The caller's list re-ranked, with the items the business filters left out. */
export interface RerankAnswer {
  items: RerankedItem[];
  modelVersion: string | null;
  evidence: number;
  dropped: DroppedItem[];
  ruleErrors?: RuleErrors[];
  note?: string;
}

/** One recommended item with the reason it is there. */
export interface RecommendedItem {
  id: string;
  score: number;
  source: 'personal' | 'population';
  /** "because you viewed X", "because you bought X", "popular with other customers". */
  explanation: string;
  because: string | null;
  /**
   * Personal items: a 90% bootstrap interval of the score over the subject's history, and how many
   * history items support it. Popular items: the 90% Wilson interval of their share, and the
   * trained subjects as evidence.
   */
  interval?: ItemInterval;
}

/** A recommended item with its score as an Estimate: decisions log it, the HTTP answer shows it (since 2026-12-06). */
export interface EstimatedItem extends RecommendedItem {
  estimate: Estimate;
}

/** The model in force, prepared for scoring. */
interface Prepared {
  version: number;
  /** The end of its data window: when what its estimates rest on last changed, the subject's history apart. */
  dataTo: number;
  state: RecommendationsState;
  index: Map<string, number>;
  popularity: Float64Array;
  /** The subjects the model was trained on: a popular item's score is the share of them that interacted with it. */
  subjects: number;
}

/**
 * Recommendations and re-ranking from the live `recommendations` model, with the subject's
 * history read fresh from its profile features (this morning's purchase is already there) and the
 * business filters applied: already purchased, out of stock (configured and per request), the
 * configured rule, the placement's rule, the request's rule.
 *
 * @example
 * const answer = await recommender.recommend({ subject: state, n: 5, placement: 'home' }, Date.now());
 */
export class Recommender {
  private prepared: Prepared | undefined;

  constructor(private readonly settings: Settings, private readonly registry: ModelRegistry) {}

  private async model(): Promise<Prepared | undefined> {
    const live = await this.registry.live<RecommendationsState>('recommendations');
    if (!live) return undefined;
    if (this.prepared?.version !== live.version) this.prepared = prepare(live);
    return this.prepared;
  }

  /** Whether the recommendations settings name a placement (its rule and exclusions then apply). */
  hasPlacement(name: string): boolean {
    return Object.hasOwn(this.settings.get(recommendationsKind).placements, name);
  }

  /** The item as rules see it: its catalog attributes (`items`) and its id. */
  item(id: string): Record<string, unknown> {
    return { ...attributes(this.settings.get(recommendationsKind).items, id), id };
  }

  /**
   * Top `n` items for the subject, each explained. `status`: `personal` when an item comes from the
   * history, `popular` when all are popularity's (`fallback` says why: no history the model knows,
   * a history leading nowhere, or the filters that left out what it leads to), `filtered` when the
   * business filters left none (the note says which were in force), `learning` when no model is trained.
   */
  async recommend(q: RecommendationQuery, now: number): Promise<{ items: EstimatedItem[]; modelVersion: string | null; status: 'personal' | 'popular' | 'filtered' | 'learning'; fallback?: PopularFallback; note?: string; ruleErrors?: RuleErrors[] }> {
    const cfg = this.settings.get(recommendationsKind);
    const { placement, rules } = this.filtersOf(q);
    const m = await this.model();
    if (!m) return { items: [], modelVersion: null, status: 'learning', note: NO_MODEL_NOTE };
    const { history, purchased, historyAt } = this.histories(q.subject, now);
    const toIdx = (ids: Iterable<string>) => [...ids].map((id) => m.index.get(id)).filter((i): i is number => i !== undefined);
    const filter = itemRules(rules, this.varsOf(q, now), (id) => this.item(id));
    const allow = rules.length ? (i: number) => filter.test(m.state.items[i]).pass : undefined;
    const bought = new Set(purchased);
    const label = (i: number) => String(attributes(cfg.items, m.state.items[i]).name ?? m.state.items[i]);
    const historyIdx = toIdx(history);
    const outOfStock = [...cfg.outOfStock, ...(q.filters?.outOfStock ?? [])];
    const excluded = [...(q.filters?.exclude ?? []), ...(placement?.exclude ?? [])];
    const recs = recommend({ personal: { kind: 'neighbours', model: m.state.neighbours }, popularity: m.popularity }, {
      history: historyIdx,
      excludeHistory: cfg.excludeHistory,
      purchased: toIdx(purchased),
      outOfStock: toIdx([...outOfStock, ...excluded]),
      allow,
      limit: q.n,
      label,
    });
    const model = itemModel(m);
    const items = recs.map((r): EstimatedItem => {
      const because = r.reason.kind === 'because-you-viewed' ? m.state.items[r.reason.item] : null;
      const explanation = because !== null && bought.has(because) ? `because you bought ${label(m.index.get(because)!)}` : r.explanation;
      if (r.source === 'population') {
        const share = popularShare(r.score, m.subjects);
        return { id: m.state.items[r.item], ...share, source: r.source, explanation, because, estimate: populationItemEstimate(share.score, share.interval, model) };
      }
      const interval = historyInterval(m.state.neighbours, historyIdx, r.item, { level: 0.9 });
      return { id: m.state.items[r.item], score: r.score, source: r.source, explanation, because, interval, estimate: personalItemEstimate(r.score, interval, model, historyAt) };
    });
    const ruleErrors = filter.errors();
    // An empty list is no popularity fallback: the filters left nothing, and the answer says which were in force.
    const emptied = !items.length && q.n > 0;
    const inForce = { history: cfg.excludeHistory && history.length > 0, purchased: purchased.length > 0, outOfStock: outOfStock.length > 0, excluded: excluded.length > 0, rules: rules.map((r) => r.field) };
    const note = this.note(ruleErrors, emptied ? noItemNote(m.state.items.length, inForce) : undefined);
    const status = emptied ? 'filtered' : items.some((i) => i.source === 'personal') ? 'personal' : 'popular';
    // All popular: say why — the filters in force are the sets recommend() was given (out of stock and exclusions apart).
    const fallback = status !== 'popular' ? undefined : popularFallback({
      history: historyIdx.length,
      candidates: historyIdx.length ? leadsTo(m.state.neighbours, historyIdx) : [],
      purchased: new Set(toIdx(purchased)),
      seen: new Set(cfg.excludeHistory ? historyIdx : []),
      outOfStock: new Set(toIdx(outOfStock)),
      excluded: new Set(toIdx(excluded)),
      rules: rules.map((r) => r.field),
    });
    return { items, modelVersion: `recommendations@${m.version}`, status, ...(fallback ? { fallback } : {}), ...(note ? { note } : {}), ...(ruleErrors.length ? { ruleErrors } : {}) };
  }

  /**
   * The caller's list re-ranked by relevance blended with the subject's affinities, after the same
   * business filters as a recommendation: already purchased (read fresh), out of stock
   * (configured and `filters.outOfStock`), `filters.exclude` and the placement's exclusions, and
   * the rules. Each item left out is reported with its reason. Items the subject only viewed stay:
   * the caller's list is what the subject asked for (search results), not discovery.
   */
  async rerank(q: RerankQuery, now: number): Promise<RerankAnswer> {
    const cfg = this.settings.get(recommendationsKind);
    const { placement, rules } = this.filtersOf(q);
    const { history, purchased, historyAt } = this.histories(q.subject, now);
    const blocked = new Map<string, DropReason>();
    const block = (ids: Iterable<string>, reason: DropReason) => {
      for (const id of ids) if (!blocked.has(id)) blocked.set(id, reason);
    };
    block(purchased, 'purchased');
    block([...cfg.outOfStock, ...(q.filters?.outOfStock ?? [])], 'out of stock');
    block([...(q.filters?.exclude ?? []), ...(placement?.exclude ?? [])], 'excluded');
    const filter = itemRules(rules, this.varsOf(q, now), (id) => this.item(id));
    const dropped: DroppedItem[] = [];
    const kept = q.items.filter((x) => {
      const reason = blocked.get(x.id);
      if (reason) return void dropped.push({ id: x.id, reason });
      const v = filter.test(x.id);
      if (!v.pass) return void dropped.push({ id: x.id, reason: 'rule', rule: v.rule, ...(v.error ? { error: v.error } : {}) });
      return true;
    });
    const m = await this.model();
    const idx = m ? history.map((id) => m.index.get(id)).filter((i): i is number => i !== undefined) : [];
    const scores = m && idx.length ? neighbourScores(m.state.neighbours, idx).scores : undefined;
    const affinity = kept.map((x) => {
      const i = m?.index.get(x.id);
      return scores && i !== undefined ? scores[i] : 0;
    });
    const out = rerank(kept.map((x, k) => ({ item: k, relevance: x.relevance })), affinity, { evidence: idx.length, maxWeight: q.maxWeight });
    const ruleErrors = filter.errors();
    const note = this.note(ruleErrors, m ? undefined : NO_MODEL_RERANK_NOTE);
    // The affinity is what the model inferred (the blend is the caller's relevance weighed with it):
    // with its interval where the history leads to the item, else the population's view of the item.
    const inferred = (id: string, affinity: number): Pick<RerankedItem, 'affinityInterval' | 'estimate'> => {
      const i = m?.index.get(id);
      if (!m || i === undefined) return {};
      if (affinity > 0) {
        const affinityInterval = historyInterval(m.state.neighbours, idx, i, { level: 0.9 });
        return { affinityInterval, estimate: personalItemEstimate(affinity, affinityInterval, itemModel(m), historyAt) };
      }
      if (!(m.popularity[i] > 0)) return {};
      const share = popularShare(m.popularity[i], m.subjects);
      return { estimate: populationItemEstimate(share.score, share.interval, itemModel(m)) };
    };
    return {
      items: out.map((r): RerankedItem => ({ id: kept[r.item].id, relevance: r.relevance, score: r.score, affinity: r.affinity, explanation: r.explanation, ...inferred(kept[r.item].id, r.affinity) })),
      modelVersion: m ? `recommendations@${m.version}` : null, evidence: idx.length, dropped,
      ...(ruleErrors.length ? { ruleErrors } : {}), ...(note ? { note } : {}),
    };
  }

  /**
   * The named placement (a 400 naming `placement` when the settings define none of that name) and
   * the rules in force, in order: the configured rule, the placement's, the request's, the caller's.
   */
  private filtersOf(q: Pick<RecommendationQuery, 'placement' | 'filters' | 'rules'>): { placement: { rule?: string; exclude?: string[] } | undefined; rules: ItemRule[] } {
    const cfg = this.settings.get(recommendationsKind);
    // Own keys only: `toString` is no placement, though every object answers to it.
    const placement = q.placement !== undefined && this.hasPlacement(q.placement) ? cfg.placements[q.placement] : undefined;
    if (q.placement !== undefined && !placement) {
      // The catalog's placements (`home`) are another thing: said so, or "no placement `home`" reads as a typo.
      const list = Object.keys(cfg.placements).join(', ') || 'none (the `recommendations` section of the configuration defines them)';
      throw validationError([{ field: 'placement', message: `There is no recommendation placement \`${q.placement}\`; the recommendation placements are ${list}. The catalog's placements are for POST /v1/decide.` }]);
    }
    const rules: ItemRule[] = [];
    if (cfg.rule) rules.push({ field: 'rule', rule: compileRule(cfg.rule, 'rule') });
    if (placement?.rule) rules.push({ field: `placements.${q.placement}.rule`, rule: compileRule(placement.rule, `placements.${q.placement}.rule`) });
    if (q.filters?.rule) rules.push({ field: 'filters.rule', rule: this.requestRule(q.filters.rule) });
    if (q.rules) rules.push(...q.rules);
    return { placement, rules };
  }

  /**
   * What the rules see: the caller's variables, or the subject's profile — an unknown visitor's is
   * empty, as in a decision, not missing — and `context`; with `lifecycle`, as decision rules have
   * it (lifecycleVar: worked out only when a rule reads it). A decision's variables have it only
   * when its own rules read it: a placement's rules get it here.
   */
  private varsOf(q: Pick<RecommendationQuery, 'subject' | 'context' | 'vars'>, now: number): Record<string, unknown> {
    const lifecycle = this.settings.get(lifecycleKind);
    if (q.vars) {
      if (!lifecycle || Object.hasOwn(q.vars, 'lifecycle')) return q.vars;
      const vars: Record<string, unknown> = Object.defineProperties({}, Object.getOwnPropertyDescriptors(q.vars));
      lifecycleVar(vars, lifecycle);
      return vars;
    }
    const vars = ruleVars(q.subject ?? newProfileState('anonymous', now), this.settings.get(featuresKind), now, lifecycle);
    vars.context = q.context ?? {};
    return vars;
  }

  /** The answer's note: `first` (no model, no item left), features the settings name that are not defined, and rules that could not be evaluated. */
  private note(errors: readonly RuleErrors[], first?: string): string | undefined {
    const parts = [first, this.undefinedFeatures(), ruleErrorSentences(errors)].filter((x) => !!x);
    return parts.length ? parts.join(' ') : undefined;
  }

  /**
   * The request's `filters.rule`, compiled. A misspelt name (`itme.price`, `features.vewed`) or
   * a field no item has (`item.stock`, items being their id and `items` attributes) compiles,
   * then fails for every item: refused instead, naming the field and the closest name, as the
   * configured rules are when written.
   */
  private requestRule(expression: string): CompiledRule {
    const rule = compileRule(expression, 'filters.rule', { authoring: true });
    const features = this.settings.get(featuresKind).map((f) => f.def);
    const scope = { ...recommendScope(features), lifecycle: ruleScope(features, lifecycleNames(this.settings.get(lifecycleKind))).lifecycle, item: cachedItemShape(this.settings.get(recommendationsKind).items) };
    const typo = ruleProblem(expression, 'filters.rule', scope);
    if (typo) throw validationError([{ field: 'filters.rule', message: typo }]);
    return rule;
  }

  /** A sentence when `history` or `purchased` names features that do not exist: they are read as empty. */
  private undefinedFeatures(): string | undefined {
    const cfg = this.settings.get(recommendationsKind);
    const defined = new Set(this.settings.get(featuresKind).map((f) => f.def.name));
    const missing = (['history', 'purchased'] as const).map((k) => [k, cfg[k].filter((n) => !defined.has(n))] as const).filter(([, names]) => names.length);
    return missing.length ? `${missing.map(([k, names]) => `recommendations.${k} names features that are not defined: ${names.join(', ')} (read as empty${k === 'purchased' ? ': nothing is excluded as already purchased' : ''})`).join('; ')}.` : undefined;
  }

  /**
   * The subject's items from its profile features, as of now, and the time of the newest event those
   * features counted (`historyAt`): when the history a personal estimate rests on last changed.
   */
  private histories(subject: ProfileState | undefined, now: number): { history: string[]; purchased: string[]; historyAt?: number } {
    if (!subject) return { history: [], purchased: [] };
    const cfg = this.settings.get(recommendationsKind);
    const features = new Map(this.settings.get(featuresKind).map((f) => [f.def.name, f]));
    let historyAt: number | undefined;
    const values = (names: string[]) => {
      const out = new Set<string>();
      for (const n of names) {
        const f = features.get(n);
        const s = subject.features[n];
        const v = f ? featureValue(f, s, now) : undefined;
        if (Array.isArray(v)) for (const x of v) out.add(String(x));
        // A state computed under another definition is read as empty (featureValue): it dates nothing.
        if (f && s && s.h === f.hash && s.t1 !== undefined && Array.isArray(v) && v.length) historyAt = Math.max(historyAt ?? -Infinity, s.t1);
      }
      return [...out];
    };
    const purchased = values(cfg.purchased);
    return { history: [...new Set([...values(cfg.history), ...purchased])], purchased, ...(historyAt !== undefined ? { historyAt } : {}) };
  }
}

/** An item's catalog attributes: own keys only (an item `constructor` is not Object's constructor). */
function attributes(items: Record<string, Record<string, unknown>>, id: string): Record<string, unknown> {
  return Object.hasOwn(items, id) ? items[id] : {};
}

function prepare(live: ModelVersion<RecommendationsState>): Prepared {
  const popularity = Float64Array.from(live.state.popularity);
  // Every training records its subjects; the largest count is a floor for a version that did not.
  const subjects = Math.max(Number(live.metrics.subjects) || 0, ...popularity, 1);
  return { version: live.version, dataTo: live.dataTo, state: live.state, index: new Map(live.state.items.map((id, i) => [id, i])), popularity, subjects };
}

/** The items a history leads to: a positive neighbour score with a history item behind it, as recommend.ts takes them. */
function leadsTo(nb: RecommendationsState['neighbours'], history: readonly number[]): number[] {
  const { scores, because } = neighbourScores(nb, history);
  const out: number[] = [];
  for (let i = 0; i < scores.length; i++) if (scores[i] > 0 && because[i] >= 0) out.push(i);
  return out;
}

/** The model an item's estimate reads. */
const itemModel = (m: Prepared): ItemModel => ({ modelVersion: `recommendations@${m.version}`, dataTo: m.dataTo });

/** z of a two-sided 90% interval. */
const Z90 = 1.6448536269514722;

/**
 * A popular item as an Estimate can carry it: the share of the trained subjects who interacted with
 * it (not its count, which out-scored every personal item for a client sorting by score, and was
 * shown as a point), with its 90% Wilson interval (src/measure/stats/proportion-intervals.ts).
 */
function popularShare(count: number, subjects: number): { score: number; interval: ItemInterval } {
  const [low, high] = wilsonInterval(count, subjects, Z90);
  return { score: count / subjects, interval: { low, high, level: 0.9, evidence: subjects } };
}
