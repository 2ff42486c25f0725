import { describe, expect, it } from 'vitest';
import { runPipeline } from '../pipeline.js';
import { playbookFor } from '../playbook.js';
import { compileCatalog } from '../catalog-compile.js';
import { compilePolicy } from '../policy-compile.js';
import { stageContext } from './fixture-context.js';
import type { Catalog } from '../catalog.js';
import type { Policy } from '../policy.js';

/**
 * The operator sentence's "most often" counts exclusions per rule, not per reason text: two rules
 * sharing the reason "not for this subject", 5 exclusions each, read "(rule "rule B"), 10 times"
 * until 2026-12-05 — neither rule excluded 10, and rule A was not named.
 */
const topicActions = (topic: string, k: number) => Array.from({ length: k }, (_, i) => ({ id: `${topic}-${i}`, name: `${topic} ${i}`, channels: ['web'], topics: [topic], value: 1 }));
const rules = [
  { name: 'rule A', stage: 'eligibility' as const, topics: ['t0'], when: 'false', reason: 'not for this subject' },
  { name: 'rule B', stage: 'suitability' as const, topics: ['t1'], when: 'false', reason: 'not for this subject' },
];

const operator = (fromA: number, fromB: number) => {
  const catalog: Catalog = { actions: [...topicActions('t0', fromA), ...topicActions('t1', fromB), { id: 'kept', name: 'Kept', channels: ['web'], value: 1 }], placements: [{ id: 'home', channel: 'web', slots: 1 }] };
  const policy: Policy = { exploration: { budget: 0 }, rules };
  const { ctx } = stageContext({ catalog, policy, placement: 'home' });
  const play = playbookFor(compileCatalog(catalog), compilePolicy(policy), 1, 1);
  return runPipeline(ctx, play.rulebook.forPlacement(ctx.placement), 1, () => 'review-1').operator;
};

describe('the explanation\'s most common exclusion, when two rules share a reason', () => {
  it('counts each rule\'s exclusions apart and names the rule that excluded most', () => {
    const s = operator(5, 3);
    expect(s).toContain('8 of 9 candidate actions were excluded (eligibility 5, suitability 3)');
    expect(s).toContain('most often: not for this subject (rule "rule A"), 5 times.');
  });

  it('names both rules of a tie, with the count each reached', () => {
    const s = operator(5, 5);
    expect(s).toContain('10 of 11 candidate actions were excluded (eligibility 5, suitability 5)');
    expect(s).toContain('most often: not for this subject (rule "rule A") and not for this subject (rule "rule B"), 5 times each.');
    expect(s).not.toContain('10 times');
  });
});
