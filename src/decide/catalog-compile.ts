import { compileSelection, type CompiledSelection } from './bandit/selection-option.js';
import { ms } from './check.js';
import { compileRecommend, type CompiledRecommend } from './recommend/recommend-option.js';
import type { Action, Catalog, Placement, Variant } from './catalog.js';
import { makeCheck, type Check } from './facts.js';

const DAY = 86_400_000;

/** An action ready for the pipeline: its rules compiled, its window and variants resolved. */
export interface CompiledAction {
  def: Action;
  id: string;
  /** Position in the catalog: breaks ties, so equal scores always rank the same way. */
  order: number;
  value: number;
  contactCost: number;
  goal: string;
  topics: readonly string[];
  startMs: number;
  endMs: number;
  /** The action's own rules, per stage. */
  own: { eligibility?: Check; applicability?: Check; suitability?: Check };
  /** Approved variants; an action that declares variants but has none approved cannot be chosen. */
  variants: readonly Variant[];
  declaresVariants: boolean;
  /** Attribution window in ms, or undefined for the policy's default. */
  attributionMs?: number;
  budgetWeight: number;
  /** `consent.<purpose>`, the fact the consent stage reads (null when no consent is needed). */
  consentFact: string | null;
  /** What CEL rules see as `action`. */
  celVar: Record<string, unknown>;
}

/** A placement with its competing actions resolved. */
export interface CompiledPlacement {
  def: Placement;
  id: string;
  channel: string;
  slots: number;
  candidates: readonly CompiledAction[];
  safeDefault: string;
  selection: CompiledSelection;
  /** Set on a recommendation placement: its compiled business filters. */
  recommend?: CompiledRecommend;
}

/** The catalog in force, compiled once per version. */
export interface CompiledCatalog {
  actions: ReadonlyMap<string, CompiledAction>;
  placements: ReadonlyMap<string, CompiledPlacement>;
}

/**
 * Compiles a checked catalog: every CEL rule once, every placement's candidate list once.
 *
 * @example
 * const c = compileCatalog({ actions: [{ id: 'a', name: 'A', channels: ['web'] }], placements: [{ id: 'p', channel: 'web' }] });
 * c.placements.get('p')!.candidates.length; // 1
 */
export function compileCatalog(body: Catalog): CompiledCatalog {
  const actions = new Map<string, CompiledAction>();
  (body.actions ?? []).forEach((a, order) => {
    const own: CompiledAction['own'] = {};
    for (const k of ['eligibility', 'applicability', 'suitability'] as const) {
      const e = a[k];
      // One name and reason for every action's own rule, so the log groups the exclusions (the expression is in the catalog version).
      if (e) own[k] = makeCheck(`own ${k} rule`, e, `its own ${k} rule does not hold`);
    }
    const variants = (a.variants ?? []).filter((v) => (v.status ?? 'approved') === 'approved');
    actions.set(a.id, {
      def: a,
      id: a.id,
      order,
      value: a.value ?? 1,
      contactCost: a.contactCost ?? 0,
      goal: a.goal ?? 'conversion',
      topics: a.topics ?? [],
      startMs: a.start ? Date.parse(a.start) : -Infinity,
      endMs: a.end ? Date.parse(a.end) : Infinity,
      own,
      variants,
      declaresVariants: (a.variants ?? []).length > 0,
      attributionMs: a.attributionWindow ? ms(a.attributionWindow, 7 * DAY) : undefined,
      budgetWeight: a.budgetWeight ?? 1,
      consentFact: a.purpose ? `consent.${a.purpose}` : null,
      celVar: { id: a.id, name: a.name, channels: a.channels, topics: a.topics ?? [], purpose: a.purpose ?? null, value: a.value ?? 1, properties: a.properties ?? {} },
    });
  });
  const placements = new Map<string, CompiledPlacement>();
  for (const p of body.placements ?? []) {
    const named = p.actions ? new Set(p.actions) : undefined;
    const candidates = [...actions.values()].filter(
      (a) => a.def.channels.includes(p.channel) && (!named || named.has(a.id)) && (!p.topics || a.topics.some((t) => p.topics!.includes(t))),
    );
    placements.set(p.id, { def: p, id: p.id, channel: p.channel, slots: p.slots ?? 1, candidates, safeDefault: p.safeDefault ?? 'none', selection: compileSelection(p.selection), ...(p.kind === 'recommendation' ? { recommend: compileRecommend(p.recommend) } : {}) });
  }
  return { actions, placements };
}
