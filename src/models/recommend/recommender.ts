import { wilsonInterval } from '../../measure/stats/proportion-intervals.js';
import type { Settings } from '../../config/settings.js';
import { validationError } from '../../errors/tact-error.js';
import { recommend } from '../../learn/recommend/recommend.js';
import { rerank } from '../../learn/recommend/rerank.js';
import { neighbourScores } from '../../learn/recommend/neighbours.js';
import { featuresKind } from '../../profiles/features/features-kind.js';
import { featureValue } from '../../profiles/features/state.js';
import type { ProfileState } from '../../profiles/profile-state.js';
import { ruleVars } from '../../profiles/profile-view.js';
import { compileRule, testRule, type CompiledRule } from '../../rules/cel.js';
import { nameProblem } from '../../rules/rule-names.js';
import { recommendScope } from '../../decide/decision-names.js';
import type { ModelVersion } from '../registry/model-store.js';
import type { ModelRegistry } from '../registry/registry.js';
import { recommendationsKind } from './recommendations-kind.js';
import type { RecommendationsState } from './recommend-trainer.js';
import { historyInterval } from '../../learn/recommend/score-interval.js';

/** A recommendation request: the subject (absent for an unknown visitor), how many, filters, placement. */
export interface RecommendationQuery {
  subject?: ProfileState;
  n: number;
  placement?: string;
  filters?: { exclude?: string[]; outOfStock?: string[]; rule?: string };
  /** Rules compiled by the caller (a catalog placement's), over `item`, the profile's facts and `context`. */
  rules?: readonly CompiledRule[];
  /** The request's context, as rules read it (`context.outOfStock` …). */
  context?: Record<string, unknown>;
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
  interval?: { low: number; high: number; level: number; evidence: number };
}

/** The model in force, prepared for scoring. */
interface Prepared {
  version: number;
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

  /** Top `n` items for the subject, each explained. */
  async recommend(q: RecommendationQuery, now: number): Promise<{ items: RecommendedItem[]; modelVersion: string | null; status: 'personal' | 'popular' | 'learning'; note?: string }> {
    const cfg = this.settings.get(recommendationsKind);
    // Own keys only: `toString` is no placement, though every object answers to it.
    const placement = q.placement !== undefined && this.hasPlacement(q.placement) ? cfg.placements[q.placement] : undefined;
    if (q.placement !== undefined && !placement) throw validationError([{ field: 'placement', message: `There is no placement \`${q.placement}\`; the placements are ${Object.keys(cfg.placements).join(', ') || '(none configured)'}.` }]);
    const rules: CompiledRule[] = [];
    if (cfg.rule) rules.push(compileRule(cfg.rule, 'rule'));
    if (placement?.rule) rules.push(compileRule(placement.rule, `placements.${q.placement}.rule`));
    if (q.filters?.rule) rules.push(this.requestRule(q.filters.rule));
    if (q.rules) rules.push(...q.rules);
    const m = await this.model();
    if (!m) return { items: [], modelVersion: null, status: 'learning', note: 'learning — no recommendation model has been trained yet (tact train recommendations)' };
    const { history, purchased } = this.histories(q.subject, now);
    const toIdx = (ids: Iterable<string>) => [...ids].map((id) => m.index.get(id)).filter((i): i is number => i !== undefined);
    const vars: Record<string, unknown> = { ...(q.subject ? ruleVars(q.subject, this.settings.get(featuresKind), now) : {}), context: q.context ?? {} };
    const allow = rules.length ? (i: number) => {
      const item = this.item(m.state.items[i]);
      return rules.every((r) => testRule(r, { ...vars, item }).pass);
    } : undefined;
    const bought = new Set(purchased);
    const label = (i: number) => String(attributes(cfg.items, m.state.items[i]).name ?? m.state.items[i]);
    const historyIdx = toIdx(history);
    const recs = recommend({ personal: { kind: 'neighbours', model: m.state.neighbours }, popularity: m.popularity }, {
      history: historyIdx,
      excludeHistory: cfg.excludeHistory,
      purchased: toIdx(purchased),
      outOfStock: toIdx([...cfg.outOfStock, ...(q.filters?.outOfStock ?? []), ...(q.filters?.exclude ?? []), ...(placement?.exclude ?? [])]),
      allow,
      limit: q.n,
      label,
    });
    const items = recs.map((r): RecommendedItem => {
      const because = r.reason.kind === 'because-you-viewed' ? m.state.items[r.reason.item] : null;
      const explanation = because !== null && bought.has(because) ? `because you bought ${label(m.index.get(because)!)}` : r.explanation;
      if (r.source === 'population') return { id: m.state.items[r.item], ...popularShare(r.score, m.subjects), source: r.source, explanation, because };
      const interval = historyInterval(m.state.neighbours, historyIdx, r.item, { level: 0.9 });
      return { id: m.state.items[r.item], score: r.score, source: r.source, explanation, because, interval };
    });
    const note = this.undefinedFeatures();
    return { items, modelVersion: `recommendations@${m.version}`, status: items.some((i) => i.source === 'personal') ? 'personal' : 'popular', ...(note ? { note } : {}) };
  }

  /** The caller's list re-ranked by relevance blended with the subject's affinities. */
  async rerank(q: { subject?: ProfileState; items: { id: string; relevance: number }[]; maxWeight?: number }, now: number): Promise<{ items: { id: string; relevance: number; score: number; affinity: number; explanation: string }[]; modelVersion: string | null; evidence: number }> {
    const m = await this.model();
    const { history } = this.histories(q.subject, now);
    const idx = m ? history.map((id) => m.index.get(id)).filter((i): i is number => i !== undefined) : [];
    const scores = m && idx.length ? neighbourScores(m.state.neighbours, idx).scores : undefined;
    const affinity = q.items.map((x) => {
      const i = m?.index.get(x.id);
      return scores && i !== undefined ? scores[i] : 0;
    });
    const out = rerank(q.items.map((x, k) => ({ item: k, relevance: x.relevance })), affinity, { evidence: idx.length, maxWeight: q.maxWeight });
    return { items: out.map((r) => ({ id: q.items[r.item].id, relevance: r.relevance, score: r.score, affinity: r.affinity, explanation: r.explanation })), modelVersion: m ? `recommendations@${m.version}` : null, evidence: idx.length };
  }

  /**
   * The request's `filters.rule`, compiled. A misspelt name (`itme.price`, `features.vewed`)
   * compiles, then fails for every item: refused instead, naming the field and the closest name,
   * as the configured rules are when written.
   */
  private requestRule(expression: string): CompiledRule {
    const rule = compileRule(expression, 'filters.rule', { authoring: true });
    const typo = nameProblem(expression, 'filters.rule', recommendScope(this.settings.get(featuresKind).map((f) => f.def)));
    if (typo) throw validationError([{ field: 'filters.rule', message: typo }]);
    return rule;
  }

  /** A sentence when `history` or `purchased` names features that do not exist: they are read as empty. */
  private undefinedFeatures(): string | undefined {
    const cfg = this.settings.get(recommendationsKind);
    const defined = new Set(this.settings.get(featuresKind).map((f) => f.def.name));
    const missing = (['history', 'purchased'] as const).map((k) => [k, cfg[k].filter((n) => !defined.has(n))] as const).filter(([, names]) => names.length);
    return missing.length ? missing.map(([k, names]) => `recommendations.${k} names features that are not defined: ${names.join(', ')} (read as empty${k === 'purchased' ? ': nothing is excluded as already purchased' : ''})`).join('; ') : undefined;
  }

  /** The subject's items from its profile features, as of now. */
  private histories(subject: ProfileState | undefined, now: number): { history: string[]; purchased: string[] } {
    if (!subject) return { history: [], purchased: [] };
    const cfg = this.settings.get(recommendationsKind);
    const features = new Map(this.settings.get(featuresKind).map((f) => [f.def.name, f]));
    const values = (names: string[]) => {
      const out = new Set<string>();
      for (const n of names) {
        const f = features.get(n);
        const v = f ? featureValue(f, subject.features[n], now) : undefined;
        if (Array.isArray(v)) for (const x of v) out.add(String(x));
      }
      return [...out];
    };
    const purchased = values(cfg.purchased);
    return { history: [...new Set([...values(cfg.history), ...purchased])], purchased };
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
  return { version: live.version, state: live.state, index: new Map(live.state.items.map((id, i) => [id, i])), popularity, subjects };
}

/** z of a two-sided 90% interval. */
const Z90 = 1.6448536269514722;

/**
 * A popular item as an Estimate can carry it: the share of the trained subjects who interacted with
 * it (not its count, which out-scored every personal item for a client sorting by score, and was
 * shown as a point), with its 90% Wilson interval (src/measure/stats/proportion-intervals.ts).
 */
function popularShare(count: number, subjects: number): { score: number; interval: { low: number; high: number; level: number; evidence: number } } {
  const [low, high] = wilsonInterval(count, subjects, Z90);
  return { score: count / subjects, interval: { low, high, level: 0.9, evidence: subjects } };
}
