import { describe, expect, it } from 'vitest';
import { ASCII, UNICODE } from '../cli/chart.js';
import type { MetricReadout } from './experiments/readout.js';
import type { HoldoutResults } from './experiments-service/holdout-results.js';
import type { ExperimentResults } from './experiments-service/results.js';
import { formatHoldout, formatResults } from './format.js';

/** A metric line of a readout: only the fields the text output reads. */
function metric(name: string, arm: string, f: [number, number, number] | null, s: [number, number] | null): MetricReadout {
  return {
    metric: name, armId: arm, control: { n: 100, mean: 1 }, treatment: { n: 100, mean: 1.1 }, cuped: null,
    frequentist: f ? { estimate: f[0], ci: [f[1], f[2]] } : null,
    sequential: s ? { estimate: f?.[0] ?? 0, ci: s } : null,
    bayesian: null, verdict: 'inconclusive',
  } as unknown as MetricReadout;
}

const readout = (metrics: MetricReadout[]) => ({ srm: { chiSquare: 0.5, pValue: 0.48, mismatch: false }, alpha: 0.05, metrics, warnings: [] });

const experiment = (metrics: MetricReadout[]) => ({
  experiment: { id: 'hero-test', placement: 'home', status: 'running', control: 'control', arms: [] },
  window: { from: null, to: '1970-01-01T00:00:00.000Z', preDays: 14, stoppedAt: null }, effect: 'relative', decisions: 200,
  units: { control: 100, 'socks-first': 100 }, holdout: 0, crossovers: 0, periods: [], metrics: [], readout: readout(metrics),
}) as unknown as ExperimentResults;

// The row of a 95% CI [−10%, +30%], an always-valid CI [−20%, +40%] and an estimate of +10%:
// label 'socks-first' (11), note '+10.0%' (6), so the plot is 80 − 2 − 11 − 1 − 7 = 59 cells on
// the axis −0.2…0.4; column(x) = round((x + 0.2) / 0.6 · 58): −0.2 → 0, −0.1 → 10, 0 → 19,
// +0.1 → 29, +0.3 → 48, +0.4 → 58. The zero line crosses the 95% CI at 19 (┿).
const row = `  socks-first ${'─'.repeat(10)}${'━'.repeat(9)}┿${'━'.repeat(9)}●${'━'.repeat(19)}${'─'.repeat(10)} +10.0%`;
const axis = `value         -20.0%${' '.repeat(13)}0${' '.repeat(33)}+40.0%`;

describe('formatResults: an interval plot per metric under the table', () => {
  it('draws the 95% CI and the always-valid CI around the estimate, with the zero line, per metric', () => {
    const text = formatResults(experiment([metric('value', 'socks-first', [0.1, -0.1, 0.3], [-0.2, 0.4]), metric('unsubscribe', 'socks-first', null, null)]), UNICODE);
    const lines = text.split('\n');
    const at = lines.indexOf(axis);
    expect(at).toBeGreaterThan(lines.findIndex((l) => l.startsWith('metric ')));
    expect(lines[at + 1]).toBe(row);
    expect(row.length).toBe(80);
    // A metric with no interval yet gets its row with the zero line only, and a dash.
    const none = lines.findIndex((l) => l.startsWith('unsubscribe') && !l.includes('inconclusive'));
    expect(lines[none + 1]).toMatch(/^ {2}socks-first +│ +—$/);
    expect(text).toContain('━ 95% CI, ─ always-valid CI, ● estimate, │ no lift');
  });

  it("says when a stopped experiment stopped, from the answer's ISO `stoppedAt`", () => {
    const r = experiment([]);
    const stopped = { ...r, experiment: { ...r.experiment, status: 'stopped' }, window: { ...r.window, to: '2026-12-01T08:30:00.000Z', stoppedAt: '2026-12-01T08:30:00.000Z' } } as ExperimentResults;
    expect(formatResults(stopped, UNICODE).split('\n')[0]).toBe('Experiment hero-test at home (stopped at 2026-12-01T08:30:00.000Z; read up to then); control control');
  });

  it('says where the window read ends when a `to` ends it before the stop, or after it (it said "read up to then")', () => {
    const r = experiment([metric('value', 'socks-first', [0.1, -0.1, 0.3], [-0.2, 0.4])]);
    const stoppedAt = '2026-12-05T10:41:04.620Z';
    const head = (to: string) => formatResults({ ...r, experiment: { ...r.experiment, status: 'stopped' }, window: { ...r.window, to, stoppedAt } } as ExperimentResults, UNICODE).split('\n')[0];
    expect(head('2026-12-05T10:39:30.000Z')).toBe('Experiment hero-test at home (stopped at 2026-12-05T10:41:04.620Z; read up to 2026-12-05T10:39:30.000Z, before its stop); control control');
    expect(head('2026-12-06T00:00:00.000Z')).toBe('Experiment hero-test at home (stopped at 2026-12-05T10:41:04.620Z; read up to 2026-12-06T00:00:00.000Z, after its stop); control control');
    expect(head(stoppedAt)).toContain('; read up to then)');
  });

  it('draws it in ASCII when asked', () => {
    const text = formatResults(experiment([metric('value', 'socks-first', [0.1, -0.1, 0.3], [-0.2, 0.4])]), ASCII);
    expect(text).toContain(`  socks-first ${'-'.repeat(10)}${'='.repeat(9)}+${'='.repeat(9)}o${'='.repeat(19)}${'-'.repeat(10)} +10.0%`);
  });
});

describe('formatHoldout: the same plot for the global holdout', () => {
  it('draws the personalized subjects against the holdout on the absolute scale', () => {
    const r = {
      holdout: { share: 0.05, salt: 'global' }, placement: 'home', window: { from: null, to: '1970-01-01T00:00:00.000Z', preDays: 0 }, effect: 'absolute', decisions: 200,
      units: { holdout: 10, personalized: 190 }, crossovers: 0, periods: [], metrics: [], readout: readout([metric('conversion', 'personalized', [-2, -3, -1], [-4, 0.5])]),
    } as unknown as HoldoutResults;
    const lines = formatHoldout(r, UNICODE).split('\n');
    // Axis −4…0.5 (zero included); label 'personalized' (12), note '-2.000' (6): 80 − 2 − 12 − 1 − 7
    // = 58 cells, column(x) = round((x + 4) / 4.5 · 57): −4 → 0, −3 → 13, −2 → 25, −1 → 38,
    // 0 → 51 (the zero line crossing the always-valid CI: ┼), 0.5 → 57.
    const expected = `  personalized ${'─'.repeat(13)}${'━'.repeat(12)}●${'━'.repeat(13)}${'─'.repeat(12)}┼${'─'.repeat(6)} -2.000`;
    expect(lines).toContain(expected);
    expect(expected.length).toBe(80);
    expect(lines.join('\n')).toContain('│ no difference');
  });
});

describe('the sample ratio line names its test', () => {
  it('prints the exact binomial p (not a χ² one) when an expected count is under 5', () => {
    // 7 of 100 subjects in a 2% holdout: scipy.stats.binomtest(7, 100, 0.02).pvalue = 0.0040621 (srm-cuped.test.ts).
    const r = {
      holdout: { share: 0.02, salt: 'global' }, placement: 'home', window: { from: null, to: '1970-01-01T00:00:00.000Z', preDays: 0 }, effect: 'absolute', decisions: 100,
      units: { holdout: 7, personalized: 93 }, crossovers: 0, periods: [], metrics: [],
      readout: { srm: { chiSquare: 12.76, pValue: 0.00406205408010084, mismatch: false, method: 'exact-binomial' }, alpha: 0.05, metrics: [], warnings: [] },
    } as unknown as HoldoutResults;
    expect(formatHoldout(r, UNICODE)).toContain('Sample ratio check against 2.0% : 98.0%: exact binomial test (an expected count under 5), p = 0.00406 — ok');
    expect(formatResults(experiment([]), UNICODE)).toContain('Sample ratio check: χ² = 0.50, p = 0.480 — ok');
    // No unit read in the window: no test was made, and the line does not say "ok".
    const empty = { ...experiment([]), readout: { ...readout([]), srm: { chiSquare: 0, pValue: 1, expected: [0, 0], mismatch: false, method: 'chi-square' } } } as unknown as ExperimentResults;
    expect(formatResults(empty, UNICODE)).toContain('Sample ratio check: no unit read in the window: nothing to check');
  });
});

describe('the periods of a readout whose design changed inside the window (the text left them out; only --json had them)', () => {
  const holdout = (periods: HoldoutResults['periods']) => ({
    holdout: { share: 0.05, salt: 'global' }, placement: 'home', window: { from: null, to: '2026-12-01T00:00:00.000Z', preDays: 0 }, effect: 'relative', decisions: 900,
    units: { holdout: periods.reduce((s, p) => s + p.units.holdout, 0), personalized: periods.reduce((s, p) => s + p.units.personalized, 0) }, crossovers: 0, periods, metrics: [],
    readout: { srm: { chiSquare: 0.24, pValue: 0.62, mismatch: false, method: 'chi-square', expected: [75, 525] }, alpha: 0.05, metrics: [], warnings: [] },
  }) as unknown as HoldoutResults;

  it('lists each holdout period: from–to, share and salt, subjects per group', () => {
    const text = formatHoldout(holdout([
      { from: '2026-11-01T08:00:00.000Z', to: '2026-11-15T12:30:00.000Z', share: 0.2, salt: 'global', units: { holdout: 62, personalized: 238 } },
      { from: '2026-11-15T12:30:00.000Z', to: null, share: 0.05, salt: 'global', units: { holdout: 14, personalized: 286 } },
    ]), UNICODE);
    const lines = text.split('\n');
    const at = lines.findIndex((l) => l.startsWith('Periods'));
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at + 1, at + 5)).toEqual([
      '  2026-11-01 08:00 – 2026-11-15 12:30  share 20.0%, salt global',
      '    subjects: holdout 62, personalized 238',
      '  2026-11-15 12:30 – now               share 5.0%, salt global',
      '    subjects: holdout 14, personalized 286',
    ]);
    // Against the shares of the periods, not the current 5% alone: 300 at 20% and 300 at 5% expect 75 in the holdout.
    expect(text).toContain("Sample ratio check against each subject's share at its first decision (75 of 600 expected in the holdout): χ² = 0.24");
  });

  it('says a period without a holdout is one, and prints nothing for a single period', () => {
    const text = formatHoldout(holdout([
      { from: '2026-10-01T00:00:00.000Z', to: '2026-11-01T00:00:00.000Z', share: 0, salt: null, units: { holdout: 0, personalized: 100 } },
      { from: '2026-11-01T00:00:00.000Z', to: null, share: 0.05, salt: 'global', units: { holdout: 30, personalized: 470 } },
    ]), UNICODE);
    expect(text).toContain('  2026-10-01 00:00 – 2026-11-01 00:00  no holdout\n    subjects: holdout 0, personalized 100\n');
    const one = formatHoldout(holdout([{ from: '2026-11-01T00:00:00.000Z', to: null, share: 0.05, salt: 'global', units: { holdout: 30, personalized: 570 } }]), UNICODE);
    expect(one).not.toContain('Periods');
    // A salt too long for the line is cut at 80 columns, with an ellipsis: 2 + 35 + 2 + 17 = 56 before it, 23 of it, then …
    const long = formatHoldout(holdout([
      { from: '2026-10-01T00:00:00.000Z', to: '2026-11-01T00:00:00.000Z', share: 0.05, salt: 's'.repeat(60), units: { holdout: 5, personalized: 95 } },
      { from: '2026-11-01T00:00:00.000Z', to: null, share: 0.05, salt: 'global', units: { holdout: 30, personalized: 470 } },
    ]), UNICODE).split('\n').find((l) => l.startsWith('  2026-10-01'));
    expect(long).toBe(`  2026-10-01 00:00 – 2026-11-01 00:00  share 5.0%, salt ${'s'.repeat(23)}…`);
    expect(long?.length).toBe(80);
    expect(one).toContain('Sample ratio check against 5.0% : 95.0%');
  });

  it("lists each experiment design: from–to, status, each arm's weight and units, wrapped within 80 columns", () => {
    const arms = ['control', 'socks-first', 'boots-first', 'sandals-first', 'slippers-first'];
    const r = {
      ...experiment([]),
      periods: [
        { from: '2026-11-01T08:00:00.000Z', to: '2026-11-10T00:00:00.000Z', status: 'running', arms: arms.map((id, i) => ({ id, weight: i === 0 ? 0.6 : 0.1 })), units: Object.fromEntries(arms.map((id, i) => [id, i === 0 ? 1200 : 205])) },
        { from: '2026-11-10T00:00:00.000Z', to: null, status: 'stopped', arms: arms.map((id) => ({ id, weight: 0.2 })), units: Object.fromEntries(arms.map((id) => [id, 0])) },
      ],
    } as unknown as ExperimentResults;
    const lines = formatResults(r, UNICODE).split('\n');
    const at = lines.findIndex((l) => l.startsWith('Periods'));
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at, at + 10)).toEqual([
      'Periods (UTC; each unit is expected under the weights of its first exposure):',
      '  2026-11-01 08:00 – 2026-11-10 00:00  running',
      // Broken between arms: 4 + 26 + 2 + 28 + 2 + 28 + 1 = 91 columns with boots-first.
      '    control 60.0%, 1200 units; socks-first 10.0%, 205 units;',
      '    boots-first 10.0%, 205 units; sandals-first 10.0%, 205 units;',
      '    slippers-first 10.0%, 205 units',
      '  2026-11-10 00:00 – now               stopped',
      '    control 20.0%, 0 units; socks-first 20.0%, 0 units;',
      '    boots-first 20.0%, 0 units; sandals-first 20.0%, 0 units;',
      '    slippers-first 20.0%, 0 units',
      '',
    ]);
    for (const l of lines.slice(at, at + 9)) expect(l.length, l).toBeLessThanOrEqual(80);
    expect(formatResults(experiment([]), UNICODE)).not.toContain('Periods');
  });
});
