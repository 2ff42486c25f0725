/**
 * The charts `tact evaluate` prints under the figures (text output only; never with --json): pure
 * functions from figures the evaluations already computed to lines of at most 80 columns.
 *
 * @example
 * ctx.chart?.((g) => liftChart('conversion', BUDGETS, share, g));
 */
import { type ChartRow, type Glyphs, axisOf, renderChart } from '../../cli/chart.js';
import type { WithInterval } from '../stats/bootstrap.js';

const tick = (x: number, digits = 2) => String(Number(x.toFixed(digits)));
/** Seven-bit glyphs (TACT_ASCII=1, or a locale that is not UTF-8) ask for seven-bit text around them too. */
const sevenBit = (g: Glyphs) => /^[\x20-\x7e]*$/.test([g.ci, g.wide, g.point, g.line, g.dotted, g.band, g.left, g.right, g.approx].join(''));
/** The dash of a range ("5k–5.1k"): '-' in ASCII. */
const rangeDash = (g: Glyphs) => (sevenBit(g) ? '-' : '–');
const fixed = (x: number, g: Glyphs) => (Number.isFinite(x) ? x.toFixed(3) : sevenBit(g) ? '-' : '—');

/**
 * Hillstrom's lift curve turned on its side: one row per budget b, the lift share's 95% CI and
 * estimate against random targeting (which captures b, the reference line moving right row by row).
 */
export function liftChart(outcome: string, budgets: readonly number[], share: WithInterval[], g: Glyphs): string[] {
  // At most −1…2: wider intervals (small samples) end in an arrow rather than squash the diagonal.
  const wide = axisOf(share.flatMap((s) => [s.low, s.high, s.value]), [0, 1]);
  const axis = { low: Math.max(wide.low, -1), high: Math.min(wide.high, 2) };
  const rows: ChartRow[] = budgets.map((b, j) => {
    const s = share[j];
    const where = s.low > b ? 'above' : s.high < b ? 'below' : `${g.approx} random`;
    return {
      label: `${Math.round(b * 100)}%`,
      items: [{ kind: 'span', from: s.low, to: s.high, glyph: g.ci }, { kind: 'line', at: b, glyph: g.line }, { kind: 'point', at: s.value, glyph: g.point }],
      note: `${fixed(s.value, g)} ${where}`,
    };
  });
  return renderChart({
    title: [`  ${outcome} lift share by budget (${g.ci} 95% CI, ${g.point} estimate, ${g.line} random = budget)`],
    axis,
    ticks: [0, 1, 0.5, axis.low, axis.high].map((at) => ({ at, label: tick(at) })),
    rows,
    indent: 4,
  }, g);
}

const mean = (xs: ArrayLike<number>, from: number, to: number) => {
  let s = 0;
  for (let i = from; i < to; i++) s += xs[i];
  return to > from ? s / (to - from) : Number.NaN;
};
const kilo = (x: number) => (x >= 1000 ? `${Number((x / 1000).toFixed(1))}k` : String(x));

/**
 * The bandit's learner CTR in ten equal slices of the logged window (the rounds the simulator
 * keeps), against the oracle and uniform CTR on the same rounds; the last row is the whole window
 * with its 95% CI.
 */
export function banditChart(
  w: { rounds: number; clicks: ArrayLike<number>; oracle: ArrayLike<number>; uniform: ArrayLike<number> },
  all: { ctr: WithInterval; oracle: WithInterval; uniform: WithInterval },
  g: Glyphs,
): string[] {
  const n = w.clicks.length;
  const size = Math.max(1, Math.floor(n / 10));
  const first = w.rounds - n;
  const rows: ChartRow[] = [];
  for (let from = 0; from + size <= n; from += size) {
    const learner = mean(w.clicks, from, from + size);
    rows.push({
      label: `${kilo(first + from)}${rangeDash(g)}${kilo(first + from + size)}`,
      items: [{ kind: 'line', at: mean(w.uniform, from, from + size), glyph: g.dotted }, { kind: 'line', at: mean(w.oracle, from, from + size), glyph: g.line }, { kind: 'point', at: learner, glyph: g.point }],
      note: fixed(learner, g),
    });
  }
  rows.push({
    label: 'whole window',
    items: [
      { kind: 'span', from: all.ctr.low, to: all.ctr.high, glyph: g.ci },
      { kind: 'line', at: all.uniform.value, glyph: g.dotted },
      { kind: 'line', at: all.oracle.value, glyph: g.line },
      { kind: 'point', at: all.ctr.value, glyph: g.point },
    ],
    note: fixed(all.ctr.value, g),
  });
  const axis = axisOf(rows.flatMap((r) => r.items.flatMap((i) => (i.kind === 'span' ? [i.from, i.to] : [i.at]))), [0]);
  return renderChart({
    title: [
      `learner CTR per ${size} rounds of the last ${n} (${g.point} learner, ${g.line} oracle, ${g.dotted} uniform,`,
      `same rounds and click draws; last row: the whole window, ${g.ci} its 95% CI)`,
    ],
    axis,
    ticks: [axis.low, axis.high, (axis.low + axis.high) / 2].map((at) => ({ at, label: tick(at, 3) })),
    rows,
    indent: 2,
  }, g);
}

/** Air-quality: each stream's coverage of the 90% interval shown, against the goal band 0.85–0.95. */
export function coverageChart(streams: { name: string; coverage: number }[], all: WithInterval, g: Glyphs): string[] {
  const band = { kind: 'span', from: 0.85, to: 0.95, glyph: g.band } as const;
  const rows: ChartRow[] = streams.map((s) => ({ label: s.name, items: [band, { kind: 'point', at: s.coverage, glyph: g.point }], note: fixed(s.coverage, g) }));
  rows.push({ label: 'all streams', items: [band, { kind: 'span', from: all.low, to: all.high, glyph: g.ci }, { kind: 'point', at: all.value, glyph: g.point }], note: fixed(all.value, g) });
  const axis = axisOf([...streams.map((s) => s.coverage), all.low, all.high], [0.8, 1]);
  return renderChart({
    title: [`coverage of the 90% intervals per stream (${g.point} shown, ${g.band} goal 0.85${rangeDash(g)}0.95, ${g.ci} 95% CI)`],
    axis,
    ticks: [0.85, 0.95, axis.low, axis.high].map((at) => ({ at, label: tick(at) })),
    rows,
    indent: 2,
  }, g);
}
