import { afterEach, describe, expect, it } from 'vitest';
import { bearer, get, harness, type Harness } from '../../test/harness.js';

/**
 * A scored candidate's score and estimate are logged to 6 significant digits, as docs/decisions.md
 * says (until 2026-12-05 the log rounded a score to 4 decimals and an estimate to 6: an action
 * scoring 0.00004 was listed among the candidates with score 0, like "none").
 *
 * Reference for the estimate (no outcomes yet: the prior Beta(0.05 × 20, 0.95 × 20) = Beta(1, 19), 90%), scipy 1.17.1:
 *   python3 -c "from scipy.stats import beta; print([float(x) for x in beta.ppf([0.05, 0.95], 1, 19)])"
 *   [0.0026960063028712822, 0.1458685033122434]
 */
const BETA_1_19_90 = { low: 0.0026960063028712822, high: 0.1458685033122434 };
/** To 6 significant digits, as the log keeps them. */
const six = (x: number) => Number(x.toPrecision(6));

const config = {
  catalog: { actions: [{ id: 'tiny', name: 'Tiny nudge', channels: ['web'], value: 0.0008 }], placements: [{ id: 'tinyp', name: 'Tiny', channel: 'web', slots: 1 }] },
  policy: { exploration: { budget: 0 } },
};

interface Candidate {
  action: string;
  score: number;
  estimate: { value: number; low: number; high: number };
  factors: { name: string; value: number }[];
}

describe('a small score in a decision\'s candidates', () => {
  let h: Harness | undefined;
  afterEach(async () => h?.close());

  it('is answered and logged to 6 significant digits, not rounded to 0, and so is its estimate\'s interval', async () => {
    h = await harness('sqlite', { config });
    const r = await h.app.inject({ method: 'POST', url: '/v1/decide', headers: { authorization: bearer(), 'content-type': 'application/json' }, payload: { subject: 'tiny1', placement: 'tinyp', explain: 'full' } });
    expect(r.statusCode, r.body).toBe(200);
    const d = r.json() as { decisionId: string; choices: { action: string; score: number }[]; explanation: { candidates: Candidate[] } };
    // 5% (the prior mean) × value 0.0008
    const score = 0.05 * 0.0008;
    expect(d.choices[0]).toMatchObject({ action: 'tiny' });
    expect(d.choices[0].score).toBeCloseTo(score, 15);
    const stored = (await get(h.app, `/v1/decisions/${d.decisionId}`)).json() as typeof d;
    for (const c of [d.explanation.candidates[0], stored.explanation.candidates[0]]) {
      expect(c.action).toBe('tiny');
      // The candidate's score is the choice's, as answered (12 significant digits).
      expect(c.score).toBe(d.choices[0].score);
      expect(c.score).toBeCloseTo(score, 15);
      expect(c.estimate.value).toBe(0.05);
      expect(c.estimate.low).toBe(six(BETA_1_19_90.low));
      expect(c.estimate.high).toBe(six(BETA_1_19_90.high));
      expect(c.factors.find((f) => f.name === 'estimate')?.value).toBe(c.estimate.value);
    }
    // The log keeps them to 6 significant digits.
    const logged = await h.store.decisions.getDecision(d.decisionId);
    expect(logged?.scored[0].score).toBe(six(score));
    expect(logged?.scored[0].lo).toBe(six(BETA_1_19_90.low));
  });
});
