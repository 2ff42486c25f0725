/**
 * The run of docs/measure.md's worked example (worked-example.ts prints it): an in-process Tact on
 * an in-memory store, seeded simulated traffic, then the experiment readout, the global holdout's
 * readout and off-policy evaluations exactly as the API returns them, with the CLI's formatting.
 * A module of its own so that worked-example-output.test.ts can compare the doc with it in process.
 *
 * The shop (src/measure/simulation.ts): shoes (worth 3.00 per showing: 5% × 60), socks (3.60:
 * 30% × 12), newsletter (0.10), or nothing. Policy 1 leads with shoes; policy 2 pushes socks
 * (lever ×10). The experiment "hero-test" runs policy 1 against policy 2, 50/50, with a 5%
 * global holdout. Keen subjects (30%) buy 1.8× as often, before and after exposure (CUPED).
 */
import { formatEvaluation, formatHoldout, formatResults } from '../format.js';
import { measureShop, seededTact, SHOP_TRUTH } from '../simulation.js';
import { createRng } from '../stats/prng.js';
import { EXAMPLE_RUN, evaluateRequests, exampleWindow, requestLine } from './requests.js';

const DAY = 86_400_000;

/**
 * Runs the worked example and returns what the script prints, so the doc's copy of it can be
 * checked line by line: the same seeds give the same text (about 25 s).
 *
 * @example
 * (await runWorkedExample()).split('\n')[0]; // '$ GET /v1/experiments/hero-test/results   (tact experiment results hero-test)'
 */
export async function runWorkedExample(): Promise<string> {
  const rng = createRng(2026);
  const lever = { name: 'socks push', actions: ['socks'], weight: 1 };
  const experiments = { 'hero-test': { placement: 'home', arms: [{ id: 'control', weight: 0.5, policy: 1 }, { id: 'socks-first', weight: 0.5, policy: 2 }] } };
  const config = measureShop({ exploration: 0.1, holdout: 0.05, levers: [lever] });
  const sim = await seededTact(config, { seed: 7, start: EXAMPLE_RUN.start });
  const out: string[] = [];
  try {
    const { tact, app, clock, auth } = sim;
    await tact.applyDocument('policy', { ...config.policy, levers: [{ ...lever, weight: 10 }] }, { author: 'example', reason: 'policy 2: socks first' });
    // An arm can pin only a stored policy version: the experiment comes after policy 2.
    await tact.applyDocument('experiments', experiments, { author: 'example', reason: 'policy 1 against policy 2' });

    for (let i = 0; i < EXAMPLE_RUN.subjects; i++) {
      const subject = `u${i}`;
      const keen = rng() < 0.3;
      const boost = keen ? 1.8 : 0.66;
      if (rng() < 0.1 * boost) await tact.decide.outcomes.record([{ id: `${subject}-pre`, at: clock.now - 3 * DAY, type: 'conversion', value: 20, profileKey: `anon:${subject}`, source: 'api' }]);
      const d = await tact.decide.decider.decide({ subject, placement: 'home' });
      const c = d.choices[0];
      const option = c.kind === 'action' ? (c.action as string) : 'none';
      const truth = SHOP_TRUTH[option];
      if (rng() < truth.p * boost) await tact.decide.outcomes.record([{ id: `${d.id}-buy`, at: clock.now + 60_000, type: 'conversion', value: truth.revenue, decisionId: d.id, source: 'api' }]);
      if (rng() < (option === 'socks' ? 0.012 : 0.004)) await tact.decide.outcomes.record([{ id: `${d.id}-unsub`, at: clock.now + 120_000, type: 'unsubscribe', decisionId: d.id, source: 'api' }]);
      clock.now += EXAMPLE_RUN.step;
    }
    const window = exampleWindow();
    // The window the docs' request lines show (requests.ts) is this run's: a day after its last decision.
    if (Date.parse(window.to) !== clock.now + DAY) throw new Error(`The run ended at ${new Date(clock.now).toISOString()}, not a day before the example's window end ${window.to}: update EXAMPLE_RUN.`);
    const to = window.to;

    const results = await app.inject({ method: 'GET', url: `/v1/experiments/hero-test/results?to=${to}`, headers: auth });
    out.push(`$ GET /v1/experiments/hero-test/results   (tact experiment results hero-test)\n\n${formatResults(results.json())}\n`);

    for (const effect of ['relative', 'absolute']) {
      const holdout = await app.inject({ method: 'GET', url: `/v1/holdout/results?placement=home&effect=${effect}&to=${to}`, headers: auth });
      out.push(`$ GET /v1/holdout/results?placement=home&effect=${effect}   (tact holdout results --placement home --effect ${effect})\n\n${formatHoldout(holdout.json())}\n`);
    }

    // The line shows the body as sent: a reader can copy it (until 2026-12-04 it showed the candidate only, a 400).
    for (const body of evaluateRequests(window)) {
      const r = await app.inject({ method: 'POST', url: '/v1/evaluate-policy', headers: auth, payload: body });
      out.push(`${requestLine(body)}\n\n${formatEvaluation(r.json())}\n`);
    }
  } finally {
    await sim.close();
  }
  return out.join('');
}
