import type { Settings } from '../config/settings.js';
import type { DecisionInputs, DecisionPrefetch } from '../decide/estimating/prefetch.js';
import { NO_POSITION } from '../decide/estimating/prefetch.js';
import type { ProfileState } from '../profiles/profile-state.js';
import type { LadderPosition } from '../segments/segment-lookup.js';
import type { Store } from '../store/store.js';
import { ruleInferences } from './estimates/rule-estimates.js';
import type { SubjectEstimates } from './estimates/subject-estimates.js';
import type { ModelRegistry } from './registry/registry.js';
import { UpliftScorer, type UpliftState } from './uplift/uplift-model.js';
import { TtlCache } from '../ops/ttl-cache.js';

/** How long a subject's ladder position is reused while its profile version has not changed. */
const POSITION_TTL_MS = 2000;
const MAX_CACHED = 100_000;

/**
 * The decision pipeline's reads from the models: the subject's ladder position (segment and
 * micro-segment, cached per profile for its version, the live micro-segments version and the
 * settings, at most two seconds, so the hot path pays two map lookups), the uplift model when the
 * decision scores by uplift (the live version, or the one an experiment pins; built once per
 * version), and, only when the rules read them, the rates and anomaly flags.
 *
 * @example
 * const prefetch = new ModelInputs({ store, settings, registry, estimates: learning.estimates, position: (s, now) => learning.ladderPosition(s, now) });
 * const { position } = await prefetch.fetch(state, { rules: false, now: Date.now() });
 */
export class ModelInputs implements DecisionPrefetch {
  /** Positions asked for in the last 2–4 s (ops/ttl-cache.ts). */
  private readonly positions = new TtlCache<{ version: number; micro: number; epoch: number; position: LadderPosition }>(POSITION_TTL_MS, MAX_CACHED);
  private readonly scorers = new Map<number, UpliftScorer>();

  constructor(private readonly d: { store: Store; settings: Settings; registry: ModelRegistry; estimates: SubjectEstimates; position: (s: ProfileState, now: number) => Promise<LadderPosition> }) {}

  async fetch(state: ProfileState | undefined, o: { rules: boolean; uplift?: false | 'live' | number; now: number; merged?: readonly string[] }): Promise<DecisionInputs> {
    const uplift = o.uplift ? await this.uplift(o.uplift) : undefined;
    if (!state) return { position: NO_POSITION, ...(uplift ? { uplift } : {}) };
    const position = await this.position(state, o.now);
    const rules = o.rules ? await ruleInferences(this.d, state, position, o.now, o.merged) : undefined;
    return { position, ...(rules ? { rules } : {}), ...(uplift ? { uplift } : {}) };
  }

  /** The uplift model of a version (or the live one), built once per version. */
  async uplift(which: 'live' | number): Promise<UpliftScorer | undefined> {
    if (which !== 'live' && this.scorers.has(which)) return this.scorers.get(which);
    const v = which === 'live' ? await this.d.registry.live<UpliftState>('uplift') : await this.d.registry.store.getVersion('uplift', which);
    if (!v) return undefined;
    let s = this.scorers.get(v.version);
    if (!s) {
      if (this.scorers.size >= 8) this.scorers.clear();
      this.scorers.set(v.version, (s = new UpliftScorer(v.state as UpliftState, v.version, v.dataTo)));
    }
    return s;
  }

  private async position(state: ProfileState, now: number): Promise<LadderPosition> {
    // Besides the profile, a position follows the live micro-segments and the settings (segment
    // rules, features): a version made live here is used by the next decision; one made live by
    // another process once this registry reads it again (its cache: 2 s).
    const micro = (await this.d.registry.live('micro-segments'))?.version ?? 0;
    const epoch = this.d.settings.epoch;
    const hit = this.positions.get(state.id, now);
    if (hit && hit.version === state.version && hit.micro === micro && hit.epoch === epoch) return hit.position;
    const position = await this.d.position(state, now);
    this.positions.set(state.id, { version: state.version, micro, epoch, position }, now);
    return position;
  }
}
