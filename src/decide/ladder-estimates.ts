import type { Estimate } from '../learn/estimate.js';
import { ladderEstimate, type LadderModel } from '../learn/rates/ladder.js';
import type { CompiledAction } from './catalog-compile.js';
import type { EstimateProvider, EstimateSubject } from './estimates.js';
import type { OutcomeCounts } from './outcome-counts.js';
import type { CompiledPolicy } from './policy-compile.js';

/**
 * Estimates of an action's goal rate from the Beta-Binomial ladder (src/learn/rates/ladder.ts)
 * over the logged counts: population (all subjects who got the action) → personal (this
 * subject). Thin personal data shrinks toward the population and the estimate says which rung
 * it comes from. Intervals cost a few microseconds, so population estimates are cached until
 * their counts change.
 *
 * @example
 * const provider = new LadderEstimates(counts, () => tact.settings.get(policyKind).estimates);
 */
export class LadderEstimates implements EstimateProvider {
  readonly modelVersion = 'beta-ladder@1';
  private cache = new Map<string, { version: number; estimate: Estimate }>();
  private model: LadderModel | undefined;
  private modelFrom: CompiledPolicy['estimates'] | undefined;

  constructor(private readonly counts: OutcomeCounts, private readonly config: () => CompiledPolicy['estimates']) {}

  estimate(action: CompiledAction, subject: EstimateSubject): Estimate {
    const model = this.currentModel();
    const pop = this.counts.population(action.id);
    const personal = this.counts.personalCounts(action.id, subject.key);
    if (!personal) {
      const hit = this.cache.get(action.id);
      if (hit && hit.version === pop.version) return hit.estimate;
      const estimate = ladderEstimate(model, { population: pop }, new Date().toISOString()).estimate;
      this.cache.set(action.id, { version: pop.version, estimate });
      return estimate;
    }
    return ladderEstimate(model, { population: pop, personal }, new Date().toISOString()).estimate;
  }

  private currentModel(): LadderModel {
    const c = this.config();
    if (this.model && this.modelFrom === c) return this.model;
    this.modelFrom = c;
    this.cache = new Map();
    this.model = {
      populationPrior: { alpha: c.priorMean * c.priorStrength, beta: (1 - c.priorMean) * c.priorStrength },
      concentration: { segment: c.personalStrength, 'micro-segment': c.personalStrength, personal: c.personalStrength },
      minDataWeight: c.minDataWeight,
      establishedWhen: { maxWidth: c.establishedWidth },
      level: c.level,
      modelVersion: this.modelVersion,
    };
    return this.model;
  }
}
