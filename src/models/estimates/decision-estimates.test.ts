import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { KEYS, harness, send, type Harness } from '../../../test/harness.js';
import { restoreEnv, testDir } from '../../../test/tmp.js';
import { shopConfig } from '../../decide/fixtures.js';
import { advertising, decideReq, post } from '../../decide/test-http.js';
import { openSqliteStore, type SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { declaredAnswers } from '../answers-fixture.js';
import { estimatesCommand } from '../cli.js';

type DecisionEstimate = { action: string; goal: string; value: number; low: number; high: number; level: number; evidence: number; source: string; status: string; modelVersion: string; updatedAt: string | null; reading: string };

/**
 * With no model configured (no `metrics`, `rates` or `sendTime`), a profile's estimates answer and
 * `tact estimates` still show what Tact estimates for it: the goal rate of each action as its
 * decisions score it — the decision log's Beta ladder. Until 2026-12-05 both said "no models are
 * configured" while every decision's explanation showed such an estimate.
 */
describe('the decisions\' estimates in a profile\'s estimates', () => {
  let h: Harness;
  let store: SqliteStore;
  let answers: ReturnType<typeof declaredAnswers>;
  /** When the last offer was decided: the newest evidence in the shoes' counts (after the last conversion). */
  let lastOffer = '';
  const saved = { ...process.env };
  beforeAll(async () => {
    const dir = testDir('tact-decision-estimates-');
    store = await openSqliteStore({ path: join(dir, 'tact.db'), checkpointMs: 3_600_000 });
    // Prior Beta(0.05·20, 0.95·20) = Beta(1, 19); no model section at all.
    h = await harness('sqlite', { store, config: shopConfig({ estimates: { priorMean: 0.05, priorStrength: 20 } }) });
    answers = declaredAnswers(h.app);
    for (const u of ['ana', 'bo', 'cy', 'di', 'ed']) await send(h.app, '/v1/identify', { userId: u, context: advertising });
    await h.tact.consumers.runAll();
    // Eight offers of the shoes to the others, six converted: the population's counts are 6 of 8.
    for (let i = 0; i < 8; i++) {
      const d = (await decideReq(h.app, { subject: ['bo', 'cy', 'di', 'ed'][i % 4], placement: 'home' })).json();
      lastOffer = d.at;
      expect(d.choices[0].action).toBe('shoes-offer');
      if (i < 6) expect((await post(h.app, '/v1/outcomes', { decisionId: d.decisionId, type: 'conversion', action: 'shoes-offer', value: 60, messageId: `m-${i}` })).statusCode).toBe(200);
    }
    await store.collect.checkpoint();
    process.env.TACT_DATA_DIR = dir;
    delete process.env.TACT_DATABASE_URL;
  });
  afterAll(async () => {
    restoreEnv(saved);
    await h.close();
    await store.close();
  });

  /** Runs `tact …args`; what it printed. */
  async function tact(...args: string[]): Promise<string> {
    let out = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
    try {
      const program = new Command().exitOverride();
      estimatesCommand(program);
      await program.parseAsync(args, { from: 'user' });
    } finally {
      spy.mockRestore();
    }
    return out;
  }

  it('the API answers each action\'s goal rate as the next decision scores it, whether or not a model is configured', async () => {
    // Every field the handler gave reaches the client, and /openapi.json declares it.
    const answer = (await answers.check('GET', '/v1/profiles/ana/estimates', '/v1/profiles/{identifier}/estimates', undefined, KEYS.server)).body as { estimates: unknown[]; decisionEstimates: DecisionEstimate[] };
    expect(answer.estimates).toEqual([]);
    const shoes = answer.decisionEstimates.find((e) => e.action === 'shoes-offer')!;
    // Posterior Beta(1 + 6, 19 + 2) = Beta(7, 21). scipy 1.17.1: beta.mean(7, 21) = 0.25,
    // beta.ppf(0.05, 7, 21) = 0.1285223634849194. The eight offers are inside their 7-day
    // attribution windows: the two without a conversion may convert yet, so the interval reaches up
    // to the rate without them (ADR 0007), Beta(7, 19): beta.ppf(0.95, 7, 19) = 0.41952000721002586.
    expect(shoes).toMatchObject({ goal: 'conversion', level: 0.9, evidence: 8, source: 'population', status: 'learning', modelVersion: 'beta-ladder@1', updatedAt: lastOffer });
    expect(shoes.value).toBeCloseTo(0.25, 9);
    expect(shoes.low).toBeCloseTo(0.1285223634849194, 6);
    expect(shoes.high).toBeCloseTo(0.41952000721002586, 6);
    expect(answer.decisionEstimates.map((e) => e.action)).toEqual(['shoes-offer', 'socks-offer', 'service-followup', 'loan-offer', 'newsletter']);

    // `tact estimates` reads the same from the store, in its JSON and in its text.
    const cli = JSON.parse(await tact('estimates', 'ana', '--json'));
    expect(cli.decisionEstimates).toEqual(answer.decisionEstimates);
    const text = await tact('estimates', 'ana');
    expect(text).toContain('  no metric, rate or send-time model is configured');
    expect(text).toMatch(/\n {2}decision shoes-offer {9}conversion 25\.0% \(90% 12\.9%–42\.0%, n=8, 8 inside their windows, population, learning/);

    // Ana's decision scores the shoes with that very estimate.
    const d = (await decideReq(h.app, { subject: 'ana', placement: 'home' })).json();
    expect(d.choices[0].action).toBe('shoes-offer');
    const used = d.choices[0].estimate;
    // The decision's estimate is the log's compact trace: the interval, and since 2026-12-06 the open choices' count too.
    expect(used.open).toEqual({ choices: 8 });
    expect({ ...used, value: undefined, low: undefined, high: undefined }).toEqual({ ...shoes, value: undefined, low: undefined, high: undefined, reading: undefined, action: undefined, goal: undefined, name: undefined });
    for (const k of ['value', 'low', 'high'] as const) expect(used[k]).toBeCloseTo(shoes[k], 5);
  });
});
