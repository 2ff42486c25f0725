/**
 * Plain-terminal charts: one text row per item on a shared horizontal axis, drawn with Unicode
 * box characters (or ASCII), no colours, bounded to a width (80 columns by default). Pure: the
 * caller chooses the glyphs (`glyphsFor(process.env)`) and prints the lines.
 *
 * @example
 * renderChart({ axis: { low: 0, high: 1 }, ticks: [{ at: 0, label: '0' }, { at: 1, label: '1' }],
 *   rows: [{ label: '10%', items: [{ kind: 'span', from: 0.2, to: 0.4, glyph: g.ci }, { kind: 'point', at: 0.3, glyph: g.point }] }] }, g);
 */

/** The characters a chart is drawn with. */
export interface Glyphs {
  /** A 95% interval. */
  ci: string;
  /** A wider interval drawn under the 95% one (always-valid CI). */
  wide: string;
  /** A point estimate. */
  point: string;
  /** A reference line (zero, random targeting, the oracle). */
  line: string;
  /** A second reference line (uniform). */
  dotted: string;
  /** A goal band. */
  band: string;
  /** Something lies beyond the left / right end of the axis. */
  left: string;
  right: string;
  /** What a reference line looks like where it crosses an interval glyph. */
  crosses: Record<string, string>;
  /** "About equal". */
  approx: string;
  /** What ends a label or title cut to fit (default '…'). */
  cut?: string;
}

/** Box-drawing and block characters. */
export const UNICODE: Glyphs = { ci: '━', wide: '─', point: '●', line: '│', dotted: '┊', band: '░', left: '◀', right: '▶', crosses: { '━': '┿', '─': '┼' }, approx: '≈' };
/** Seven-bit fallback (TACT_ASCII=1, or a locale that is not UTF-8). */
export const ASCII: Glyphs = { ci: '=', wide: '-', point: 'o', line: '|', dotted: ':', band: '.', left: '<', right: '>', crosses: { '=': '+', '-': '+' }, approx: '~', cut: '.' };

/**
 * ASCII when TACT_ASCII=1 or the locale (LC_ALL, else LC_CTYPE, else LANG) is set and not UTF-8;
 * block characters otherwise (TACT_ASCII=0 forces them).
 *
 * @example
 * const g = glyphsFor(process.env);
 */
export function glyphsFor(env: Record<string, string | undefined>): Glyphs {
  if (env.TACT_ASCII === '1') return ASCII;
  if (env.TACT_ASCII === '0') return UNICODE;
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  return locale && !/utf-?8/i.test(locale) ? ASCII : UNICODE;
}

/** The values at the two ends of the horizontal axis. */
export interface Axis {
  low: number;
  high: number;
}

/** One thing drawn on a row: an interval, a reference line, or a point (drawn in that order). */
export type Item =
  | { kind: 'span'; from: number | null; to: number | null; glyph: string }
  | { kind: 'line'; at: number | null; glyph: string }
  | { kind: 'point'; at: number | null; glyph: string };

/** A tick label under the axis. */
export interface Tick {
  at: number;
  label: string;
}

const finite = (x: number | null | undefined): x is number => typeof x === 'number' && Number.isFinite(x);

/** Column of x on a plot `width` cells wide: round((x − low) / (high − low) · (width − 1)). */
function column(axis: Axis, width: number, x: number): number {
  return Math.round(((x - axis.low) / (axis.high - axis.low)) * (width - 1));
}

/**
 * The smallest axis holding every finite value and every value of `include`; a single value is
 * widened by a tenth of itself (by 1 around zero); no values give 0…1.
 *
 * @example
 * axisOf([0.2, 0.9, Number.NaN], [0]); // { low: 0, high: 0.9 }
 */
export function axisOf(values: (number | null | undefined)[], include: number[] = []): Axis {
  const xs = [...values, ...include].filter(finite);
  if (!xs.length) return { low: 0, high: 1 };
  // A loop, not Math.min(...xs): spreading a long list overflows the call stack.
  let low = Infinity;
  let high = -Infinity;
  for (const x of xs) {
    if (x < low) low = x;
    if (x > high) high = x;
  }
  if (low < high) return { low, high };
  const pad = low === 0 ? 1 : Math.abs(low) / 10;
  return { low: low - pad, high: high + pad };
}

/**
 * One row of a chart, exactly `width` cells: spans, then reference lines (crossing the spans),
 * then points. What lies beyond an end of the axis shows as an arrow at that end; a reference
 * line outside the axis is left out, and so are NaN, null and infinite values.
 *
 * @example
 * plotRow({ low: 0, high: 10 }, 11, [{ kind: 'span', from: 2, to: 6, glyph: '━' }, { kind: 'point', at: 4, glyph: '●' }], UNICODE); // '  ━━●━━    '
 */
export function plotRow(axis: Axis, width: number, items: Item[], g: Glyphs): string {
  const cells = new Array<string>(width).fill(' ');
  const last = width - 1;
  for (const it of items) {
    if (it.kind !== 'span' || !finite(it.from) || !finite(it.to)) continue;
    const [a, b] = it.from <= it.to ? [it.from, it.to] : [it.to, it.from];
    if (b < axis.low) cells[0] = g.left;
    else if (a > axis.high) cells[last] = g.right;
    else {
      const from = a < axis.low ? 0 : column(axis, width, a);
      const to = b > axis.high ? last : column(axis, width, b);
      for (let c = from; c <= to; c++) cells[c] = it.glyph;
      if (a < axis.low) cells[0] = g.left;
      if (b > axis.high) cells[last] = g.right;
    }
  }
  for (const it of items) {
    if (it.kind !== 'line' || !finite(it.at) || it.at < axis.low || it.at > axis.high) continue;
    const c = column(axis, width, it.at);
    cells[c] = it.glyph === g.line ? (g.crosses[cells[c]] ?? it.glyph) : it.glyph;
  }
  for (const it of items) {
    if (it.kind !== 'point' || !finite(it.at)) continue;
    if (it.at < axis.low) cells[0] = g.left;
    else if (it.at > axis.high) cells[last] = g.right;
    else cells[column(axis, width, it.at)] = it.glyph;
  }
  return cells.join('');
}

/**
 * The tick labels of a plot `width` cells wide, each centred on its column and kept inside the
 * plot; ticks are placed in the order given and one that would touch a placed label is dropped.
 *
 * @example
 * axisLabels({ low: 0, high: 10 }, 11, [{ at: 0, label: '0' }, { at: 10, label: '10' }]); // '0        10'
 */
export function axisLabels(axis: Axis, width: number, ticks: Tick[]): string {
  const cells = new Array<string>(width).fill(' ');
  const taken = new Array<boolean>(width).fill(false);
  for (const t of ticks) {
    if (!finite(t.at) || t.at < axis.low || t.at > axis.high || t.label.length > width) continue;
    const start = Math.min(Math.max(column(axis, width, t.at) - Math.floor(t.label.length / 2), 0), width - t.label.length);
    let free = true;
    for (let c = Math.max(start - 1, 0); c <= Math.min(start + t.label.length, width - 1); c++) if (taken[c]) free = false;
    if (!free) continue;
    for (let i = 0; i < t.label.length; i++) {
      cells[start + i] = t.label[i];
      taken[start + i] = true;
    }
  }
  return cells.join('').trimEnd();
}

/** A row of a chart: its label on the left, what is drawn, and a short note on the right. */
export interface ChartRow {
  label: string;
  items: Item[];
  note?: string;
}

/** A chart: title lines (the legend), the axis with its ticks, and the rows. */
export interface Chart {
  title?: string[];
  axis: Axis;
  ticks: Tick[];
  rows: ChartRow[];
  /** Spaces before each row and before the axis labels. */
  indent?: number;
}

const clip = (s: string, n: number, cut = '…') => (s.length > n ? `${s.slice(0, Math.max(n - 1, 0))}${cut}` : s);

/**
 * The chart as lines no longer than `width`: labels are cut to 20 characters and notes to 16,
 * and the plot takes what is left.
 *
 * @example
 * process.stdout.write(renderChart(chart, glyphsFor(process.env)).join('\n') + '\n');
 */
export function renderChart(c: Chart, g: Glyphs, width = 80): string[] {
  const indent = ' '.repeat(c.indent ?? 0);
  const labels = c.rows.map((r) => clip(r.label, 20, g.cut));
  const notes = c.rows.map((r) => clip(r.note ?? '', 16, g.cut));
  const labelW = Math.max(0, ...labels.map((l) => l.length));
  const noteW = Math.max(0, ...notes.map((n) => n.length));
  const plotW = Math.max(width - indent.length - labelW - 1 - (noteW ? noteW + 1 : 0), 2);
  const pad = `${indent}${' '.repeat(labelW)} `;
  return [
    ...(c.title ?? []).map((t) => clip(t, width, g.cut)),
    `${pad}${axisLabels(c.axis, plotW, c.ticks)}`.trimEnd(),
    ...c.rows.map((r, i) => `${indent}${labels[i].padEnd(labelW)} ${plotRow(c.axis, plotW, r.items, g)}${noteW ? ` ${notes[i]}` : ''}`.trimEnd()),
  ];
}
