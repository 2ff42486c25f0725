import { it } from 'vitest';
import { Rng } from '/work/main/src/learn/math/prng.js';
import { sigmoid } from '/work/main/src/learn/math/special.js';
import { createBandit, updateBandit, type BanditState, type BanditConfig } from '/work/main/src/learn/bandit/thompson.js';
import { stageContext } from '/work/main/src/decide/stages/fixture-context.js';
import { scoring } from '/work/main/src/decide/stages/scoring.js';
import { banditSelect } from '/work/main/src/decide/bandit/bandit-select.js';

it('time', () => {
  const actions = Array.from({ length: 100 }, (_, i) => ({ id: `a${i}`, name: `A${i}`, channels: ['web'], value: 5 + (i % 7), contactCost: 0.1 }));
  const catalog = { actions, placements: [{ id: 'home', channel: 'web', slots: 1, selection: { kind: 'thompson' as const, features: ['context.x1', 'context.x2', 'context.x3', 'context.x4'] } }] };
  const rng = new Rng(1);
  let state: BanditState | undefined;
  const book = { stateFor(_p: string, ids: readonly string[], c: BanditConfig) { if (!state) { state = createBandit([...ids], c); for (let t = 0; t < 20000; t++) { const id = ids[t % ids.length]; const x = [rng.float(), rng.float(), rng.int(2), rng.float()]; updateBandit(state, id, x, rng.float() < sigmoid(-2 + (t % 100) / 50 + x[0]) ? 1 : 0); } } Object.assign(state.config, c); return state; }, versionOf: () => 'b' };
  for (const budget of [0.05, 1]) {
    const { ctx, candidates } = stageContext({ catalog, policy: { exploration: { budget } }, placement: 'home', vars: { context: { x1: 0.3, x2: 0.5, x3: 1, x4: 0.2 } }, random: () => rng.float() });
    const times: number[] = [];
    for (let i = 0; i < 3000; i++) {
      for (const c of candidates) { c.estimate = undefined; }
      scoring(candidates, ctx);
      const t0 = performance.now();
      banditSelect(candidates, ctx, book, 1);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    console.log('BUDGET', budget, 'p50', times[1500].toFixed(4), 'p99', times[2970].toFixed(4), 'ms');
  }
});
