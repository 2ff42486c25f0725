import type { CompiledAction, CompiledPlacement } from './catalog-compile.js';
import { actionClass, type Check } from './facts.js';
import type { CompiledLever, CompiledPolicy } from './policy-compile.js';
import type { RuleStage } from './policy.js';

/** Every rule and lever that applies to one action in one placement, per stage, in order. */
export interface ActionRules {
  eligibility: readonly Check[];
  applicability: readonly Check[];
  suitability: readonly Check[];
  levers: readonly CompiledLever[];
}

/**
 * The catalog joined with the policy, once per (catalog version, policy version, placement): for
 * each candidate action, the action's own rule then the policy's rules that are about it.
 *
 * @example
 * const book = new Rulebook(policy); book.forPlacement(placement).get('winback')!.eligibility;
 */
export class Rulebook {
  private readonly byPlacement = new Map<string, ReadonlyMap<string, ActionRules>>();

  constructor(private readonly policy: CompiledPolicy) {}

  forPlacement(p: CompiledPlacement): ReadonlyMap<string, ActionRules> {
    let m = this.byPlacement.get(p.id);
    if (!m) {
      m = new Map(p.candidates.map((a) => [a.id, this.build(a, p.channel)]));
      this.byPlacement.set(p.id, m);
    }
    return m;
  }

  private build(a: CompiledAction, channel: string): ActionRules {
    const of = (stage: RuleStage): Check[] => {
      const own = a.own[stage];
      const policy = this.policy.rules.filter((r) => r.stage === stage && r.matches(a.id, a.topics, channel)).map((r) => r.check);
      // Each rule that reads `action` by its fields learns the action's class now, so candidates
      // share its results from the first decision on (facts.ts, actionClass).
      for (const check of policy) actionClass(check, a.celVar);
      return own ? [own, ...policy] : policy;
    };
    const levers = this.policy.levers.filter((l) => l.matches(a.id, a.topics, channel));
    for (const l of levers) if (l.when) actionClass(l.when, a.celVar);
    return { eligibility: of('eligibility'), applicability: of('applicability'), suitability: of('suitability'), levers };
  }
}
