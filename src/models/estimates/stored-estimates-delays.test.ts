import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestStore } from '../../../test/harness.js';
import { compileCatalog } from '../../decide/catalog-compile.js';
import { loadCounts, loadOpenChoices } from '../../decide/counts-load.js';
import { DecideState } from '../../decide/decide-state.js';
import type { DecisionRecord } from '../../decide/decision.js';
import { shopCatalog, shopPolicy } from '../../decide/fixtures.js';
import { catalogKind, policyKind } from '../../decide/kinds.js';
import { LadderEstimates } from '../../decide/ladder-estimates.js';
import { OutcomeCounts } from '../../decide/outcome-counts.js';
import { compilePolicy } from '../../decide/policy-compile.js';
import type { Store } from '../../store/store.js';
import { storedDecisionEstimates } from './decision-estimates.js';

const H = 3_600_000;

function record(id: string, at: number): DecisionRecord {
  return {
    id, at, profileKey: `p-${id}`, subject: id, placement: 'home', channel: 'web', context: {}, policyVersion: 1, catalogVersion: 1, modelVersion: 'm',
    arm: 'treatment', choices: [{ rank: 1, kind: 'action', action: 'shoes-offer', score: 1, propensity: 1, why: '' }], scored: [], excluded: [], facts: {}, absentFacts: [], operator: '', customer: '', excludedByStage: {},
  };
}

/**
 * `tact estimates` reads the decisions' estimates from the store as a starting server does
 * (storedDecisionEstimates): with the delays of the successes too (ADR 0007's F), so its value is
 * the server's, not the lower reading that counts every open choice as a failure.
 */
describe('the decisions\' estimates read from the store', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ store, cleanup } = await openTestStore('sqlite')));
  afterEach(async () => cleanup());

  it('learn how long conversions take, as the server does', async () => {
    const now = Math.floor(Date.now() / H) * H + H / 2;
    // Ten choices an hour for ten days; every third converts 0–71 hours on (those due before now are logged).
    const outcomes = [];
    for (let i = 1; i <= 240; i++) {
      for (let j = 0; j < 10; j++) {
        const id = `d${i}-${j}`;
        const at = now - i * H + j * 60_000;
        await store.decisions.appendDecision(record(id, at));
        const due = at + ((i * 7 + j) % 72) * H;
        if (j % 3 === 0 && due < now) outcomes.push({ id: `o-${id}`, decisionId: id, profileKey: `p-${id}`, at: due, type: 'conversion', value: null, action: 'shoes-offer', credit: 1, reward: 1, success: true, source: 'api' as const });
      }
    }
    await store.decisions.addOutcomes(outcomes);
    const policy = compilePolicy(shopPolicy());
    const catalog = compileCatalog(shopCatalog());
    const settings = { get: (kind: unknown) => (kind === policyKind ? policy : kind === catalogKind ? catalog : undefined) } as never;
    const action = catalog.actions.get('shoes-offer')!;
    const subject = { key: 'nobody', vars: {} };

    const cli = (await storedDecisionEstimates({ decisions: store.decisions, profiles: store.profiles }, settings)).provider.estimate(action, subject);
    // The server's: the state a start rebuilds, read at the same time.
    const state = new DecideState(30 * 24 * H, false, policy.attributionMs);
    await state.rebuild(store.decisions, () => [], Date.now(), { openMs: policy.attributionMs });
    expect((await state.openRead).error).toBeUndefined();
    const server = new LadderEstimates(state.counts, () => policy.estimates, { defaultWindow: () => policy.attributionMs }).estimate(action, subject);
    expect(cli.value).toBeCloseTo(server.value, 12);
    // Four in ten choices convert (j = 0, 3, 6, 9): the learned value is near 0.4, the open choices read as failures well below.
    const plain = new OutcomeCounts();
    await loadCounts(store.decisions, plain);
    await loadOpenChoices(store.decisions, plain, Date.now() - policy.attributionMs, Date.now());
    const low = new LadderEstimates(plain, () => policy.estimates, { defaultWindow: () => policy.attributionMs }).estimate(action, subject);
    expect(Math.abs(cli.value - 0.4)).toBeLessThan(0.02);
    expect(low.value).toBeLessThan(0.37);
    expect(cli.low).toBeCloseTo(low.low, 12);

    // A subject's own choices inside their windows, read before its estimates (ADR 0007's personal
    // rung), as the server reads them at its first decision: the same value, the open choices said.
    for (let i = 1; i <= 12; i++) await store.decisions.appendDecision({ ...record(`me${i}`, now - i * H), profileKey: 'p-me' });
    // One converted, before the start: read from the log with the choices, it leaves the highest reading with them.
    await store.decisions.addOutcomes([{ id: 'o-me3', decisionId: 'me3', profileKey: 'p-me', at: now - 2 * H, type: 'conversion', value: null, action: 'shoes-offer', credit: 1, reward: 1, success: true, source: 'api' as const }]);
    const stored = await storedDecisionEstimates({ decisions: store.decisions, profiles: store.profiles }, settings);
    await stored.readSubject!(['p-me']);
    const mine = stored.provider.estimate(action, { key: 'p-me', vars: {} });
    const started = new DecideState(30 * 24 * H, false, policy.attributionMs);
    await started.rebuild(store.decisions, () => [], Date.now(), { openMs: policy.attributionMs });
    await started.openRead;
    await started.ensureLoaded(store.decisions, ['p-me'], () => [], Date.now());
    const serverMine = new LadderEstimates(started.counts, () => policy.estimates, { defaultWindow: () => policy.attributionMs }).estimate(action, { key: 'p-me', vars: {} });
    expect(started.counts.personalOpen('shoes-offer', 'p-me', [], Date.now(), policy.attributionMs)).toMatchObject({ open: 12, won: 1 });
    expect(mine.value).toBeCloseTo(serverMine.value, 12);
    expect(mine.high).toBeCloseTo(serverMine.high, 12);
    // Not read first, the twelve are failures: lower, and no open choice said.
    const unread = (await storedDecisionEstimates({ decisions: store.decisions, profiles: store.profiles }, settings)).provider.estimate(action, { key: 'p-me', vars: {} });
    expect(unread.value).toBeLessThan(mine.value - 0.01);
  });
});
