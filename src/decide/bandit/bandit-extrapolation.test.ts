import { describe, expect, it } from 'vitest';
import { Rng } from '../../learn/math/prng.js';
import { sigmoid } from '../../learn/math/special.js';
import { type BanditConfig, type BanditState, createBandit, updateBandit } from '../../learn/bandit/thompson.js';
import type { Catalog } from '../catalog.js';
import { stageContext } from '../stages/fixture-context.js';
import { scoreWords, traces } from '../stages/explanation.js';
import { scoring } from '../stages/scoring.js';
import { type BanditBook, banditSelect } from './bandit-select.js';

const catalog: Catalog = {
  actions: [
    { id: 'a', name: 'A', channels: ['web'], value: 1 },
    { id: 'b', name: 'B', channels: ['web'], value: 1 },
  ],
  placements: [{ id: 'home', channel: 'web', slots: 1, selection: { kind: 'thompson', features: ['features.orders'] } }],
};

/** A bandit that learned from orders 0–5 only (truth: σ(−2 + 0.4·orders) for a, σ(−1) for b). */
function book(): BanditBook {
  let state: BanditState | undefined;
  return {
    stateFor(_p: string, actions: readonly string[], config: BanditConfig) {
      if (!state) {
        state = createBandit([...actions], config);
        const rng = new Rng(2);
        for (let t = 0; t < 4000; t++) {
          const id = actions[t % 2];
          const orders = rng.int(6);
          updateBandit(state, id, [orders], rng.float() < sigmoid(id === 'a' ? -2 + 0.4 * orders : -1) ? 1 : 0);
        }
      }
      return state;
    },
    versionOf: () => 'bandit:home@4000',
  };
}

describe('bandit selection beyond the contexts learned from', () => {
  it('holds the estimate at the edge of what was learned, marks it learning and says why in the explanation', () => {
    const b = book();
    const decide = (orders: number) => {
      const { ctx, candidates } = stageContext({ catalog, policy: { exploration: { budget: 0.1 } }, placement: 'home', vars: { features: { orders } }, random: () => 0.5 });
      scoring(candidates, ctx);
      banditSelect(candidates, ctx, b, 1);
      return candidates.find((c) => c.action.id === 'a')!;
    };
    const far = decide(60);
    const edge = decide(5);
    // unheld, 60 orders would put a at σ(−2 + 24): a sure success; held, it is a's estimate at 5 (truth σ(0) = 0.5)
    expect(far.estimate!.value).toBeCloseTo(edge.estimate!.value, 1); // not equal: the wider variance at 60 moves E[σ(Z)] towards 1/2
    expect(far.estimate!.value).toBeLessThan(0.7);
    expect(far.estimate!.reason).toBe('extrapolated');
    expect(far.estimate!.status).toBe('learning');
    expect(scoreWords(far)).toContain('beyond the contexts it learned from');
    expect(edge.estimate!.reason).toBeUndefined();
    expect(scoreWords(edge)).not.toContain('beyond');
    // The log's trace keeps why (the decision's view says it months later).
    const [trace] = traces([far], new Set(['a'])).scored;
    expect(trace).toMatchObject({ learning: true, why: 'extrapolated' });
  });
});
