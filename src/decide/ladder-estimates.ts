import type { Estimate } from '../learn/estimate.js';
import type { RateCounts } from '../learn/rates/beta-binomial.js';
import { type LadderCounts, ladderEstimate, type LadderModel } from '../learn/rates/ladder.js';
import type { CompiledAction } from './catalog-compile.js';
import type { EstimateProvider, EstimateSubject } from './estimates.js';
import type { OutcomeCounts } from './outcome-counts.js';
import type { CompiledPolicy } from './policy-compile.js';

/**
 * Estimates of an action's goal rate from the Beta-Binomial ladder (src/learn/rates/ladder.ts)
 * over the logged counts: population (all subjects who got the action) → segment → micro-segment
 * (the subject's groups at decision time) → personal (this subject). Each rung shrinks toward
 * the one above and is earned only when its own data carry enough of its posterior; the estimate
 * says which rung it comes from and its evidence there. Intervals cost a few microseconds, so
 * estimates without personal counts are cached until their counts change.
 *
 * @example
 * const provider = new LadderEstimates(counts, () => tact.settings.get(policyKind).estimates);
 * provider.estimate(action, { key: 'p1', vars, segment: 'segment:vip' }).source; // 'segment' once it has earned it
 */
export class LadderEstimates implements EstimateProvider {
  readonly modelVersion = 'beta-ladder@1';
  private cache = new Map<string, { version: string; estimate: Estimate }>();
  private model: LadderModel | undefined;
  private modelFrom: CompiledPolicy['estimates'] | undefined;

  constructor(private readonly counts: OutcomeCounts, private readonly config: () => CompiledPolicy['estimates']) {}

  estimate(action: CompiledAction, subject: EstimateSubject): Estimate {
    const model = this.currentModel();
    const pop = this.counts.population(action.id);
    const counts: LadderCounts = { population: pop };
    let version = String(pop.version);
    if (subject.segment) {
      const g = this.counts.group(action.id, subject.segment);
      counts.segment = g;
      version += `|${g.version}`;
    }
    if (subject.microSegment) {
      const g = this.counts.group(action.id, subject.microSegment);
      counts['micro-segment'] = g;
      version += `|${g.version}`;
    }
    const personal: RateCounts | undefined = this.counts.personalCounts(action.id, subject.key, subject.also);
    if (personal) {
      counts.personal = personal;
      return ladderEstimate(model, counts, new Date().toISOString()).estimate;
    }
    const key = `${action.id}|${subject.segment ?? ''}|${subject.microSegment ?? ''}`;
    const hit = this.cache.get(key);
    if (hit && hit.version === version) return hit.estimate;
    const estimate = ladderEstimate(model, counts, new Date().toISOString()).estimate;
    if (this.cache.size >= 50_000) this.cache.clear();
    this.cache.set(key, { version, estimate });
    return estimate;
  }

  private currentModel(): LadderModel {
    const c = this.config();
    if (this.model && this.modelFrom === c) return this.model;
    this.modelFrom = c;
    this.cache = new Map();
    this.model = {
      populationPrior: { alpha: c.priorMean * c.priorStrength, beta: (1 - c.priorMean) * c.priorStrength },
      concentration: { segment: c.groupStrength, 'micro-segment': c.groupStrength, personal: c.personalStrength },
      minDataWeight: c.minDataWeight,
      establishedWhen: { maxWidth: c.establishedWidth },
      level: c.level,
      modelVersion: this.modelVersion,
    };
    return this.model;
  }
}
