import { describe, expect, it } from 'vitest';
import { ASCII, UNICODE } from '../../cli/chart.js';
import { banditChart, coverageChart, liftChart } from './charts.js';

const ci = (value: number, half = 0.01) => ({ value, low: value - half, high: value + half });
const sevenBit = /^[\x20-\x7e]*$/;

/** The three charts on small made-up figures (a lift share NaN: its note has no number). */
function charts(g: typeof ASCII): string[] {
  const n = 1000;
  const clicks = Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
  const oracle = Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : 0));
  const uniform = new Float64Array(n).fill(0.07);
  return [
    ...banditChart({ rounds: 6000, clicks, oracle, uniform }, { ctr: ci(0.33), oracle: ci(0.5), uniform: ci(0.07) }, g),
    ...coverageChart([{ name: 'CO(GT)', coverage: 0.9 }, { name: 'T', coverage: Number.NaN }], ci(0.9), g),
    ...liftChart('conversion', [0.1, 0.5], [ci(0.2, 0.1), ci(Number.NaN)], g),
  ];
}

describe('the evaluation charts in ASCII', () => {
  it('are seven-bit throughout: range labels, the goal band and a missing figure use "-"', () => {
    const lines = charts(ASCII);
    for (const l of lines) expect(l).toMatch(sevenBit);
    const text = lines.join('\n');
    expect(text).toContain('5k-5.1k');
    expect(text).toContain('goal 0.85-0.95');
  });

  it('keep their dashes with the block characters', () => {
    const text = charts(UNICODE).join('\n');
    expect(text).toContain('5k–5.1k');
    expect(text).toContain('goal 0.85–0.95');
    expect(text).toContain('—');
  });
});
