import { describe, expect, it } from 'vitest';
import { ASCII, UNICODE, axisLabels, axisOf, glyphsFor, plotRow, renderChart } from './chart.js';

// Every expected string below is worked out by hand from the mapping the module documents:
// column(x) = round((x − low) / (high − low) · (width − 1)); on an axis 0…10 with width 11 the
// column of x is round(x), and on −3…−1 with width 5 it is round(2·(x + 3)).
const ten = { low: 0, high: 10 };

describe('plotRow', () => {
  it('draws an interval, a reference line crossing it and the point estimate on top', () => {
    const row = plotRow(ten, 11, [
      { kind: 'span', from: 2, to: 6, glyph: UNICODE.ci },
      { kind: 'line', at: 5, glyph: UNICODE.line },
      { kind: 'point', at: 4, glyph: UNICODE.point },
    ], UNICODE);
    expect(row).toBe('  ━━●┿━    ');
  });

  it('draws the same row in ASCII', () => {
    const row = plotRow(ten, 11, [
      { kind: 'span', from: 2, to: 6, glyph: ASCII.ci },
      { kind: 'line', at: 5, glyph: ASCII.line },
      { kind: 'point', at: 4, glyph: ASCII.point },
    ], ASCII);
    expect(row).toBe('  ==o+=    ');
  });

  it('marks values outside the axis with an arrow at the edge they went past', () => {
    expect(plotRow(ten, 11, [{ kind: 'span', from: -5, to: 3, glyph: '━' }, { kind: 'point', at: 12, glyph: '●' }], UNICODE)).toBe('◀━━━      ▶');
    expect(plotRow(ten, 11, [{ kind: 'span', from: 11, to: 15, glyph: '━' }], UNICODE)).toBe('          ▶');
    expect(plotRow(ten, 11, [{ kind: 'point', at: -1, glyph: '●' }], UNICODE)).toBe('◀          ');
    // A reference line outside the axis is simply not drawn.
    expect(plotRow(ten, 11, [{ kind: 'line', at: 20, glyph: '│' }], UNICODE)).toBe('           ');
  });

  it('draws a zero-width interval as one cell, under the point when there is one', () => {
    expect(plotRow(ten, 11, [{ kind: 'span', from: 4, to: 4, glyph: '━' }], UNICODE)).toBe('    ━      ');
    expect(plotRow(ten, 11, [{ kind: 'span', from: 4, to: 4, glyph: '━' }, { kind: 'point', at: 4, glyph: '●' }], UNICODE)).toBe('    ●      ');
  });

  it('leaves out NaN, null and infinite values', () => {
    const row = plotRow(ten, 11, [
      { kind: 'span', from: null, to: 3, glyph: '━' },
      { kind: 'span', from: 1, to: Number.NaN, glyph: '━' },
      { kind: 'point', at: Number.NaN, glyph: '●' },
      { kind: 'point', at: Number.POSITIVE_INFINITY, glyph: '●' },
      { kind: 'line', at: null, glyph: '│' },
    ], UNICODE);
    expect(row).toBe('           ');
  });

  it('works on an all-negative axis, and with the ends of an interval given in either order', () => {
    const axis = { low: -3, high: -1 };
    expect(plotRow(axis, 5, [{ kind: 'span', from: -2.5, to: -1.5, glyph: '━' }, { kind: 'point', at: -2, glyph: '●' }], UNICODE)).toBe(' ━●━ ');
    expect(plotRow(axis, 5, [{ kind: 'span', from: -1.5, to: -2.5, glyph: '━' }, { kind: 'line', at: 0, glyph: '│' }], UNICODE)).toBe(' ━━━ ');
  });
});

describe('axisOf', () => {
  it('takes a list of any length (a million values: a spread into Math.min overflowed the stack)', () => {
    const xs = Array.from({ length: 1_000_000 }, (_, i) => (i % 1000) - 3);
    expect(axisOf(xs)).toEqual({ low: -3, high: 996 });
  });
  it('spans the finite values and the values it must include', () => {
    expect(axisOf([1, Number.NaN, null, 3], [0])).toEqual({ low: 0, high: 3 });
    expect(axisOf([-5, -2])).toEqual({ low: -5, high: -2 });
  });

  it('widens a single value by a tenth of itself (by 1 around zero) and falls back to 0…1 with no values', () => {
    expect(axisOf([2])).toEqual({ low: 1.8, high: 2.2 });
    expect(axisOf([0])).toEqual({ low: -1, high: 1 });
    expect(axisOf([null, Number.NaN])).toEqual({ low: 0, high: 1 });
  });
});

describe('axisLabels', () => {
  it('centres each label on its column, kept inside the plot', () => {
    expect(axisLabels(ten, 11, [{ at: 0, label: '0' }, { at: 10, label: '10' }, { at: 5, label: '5' }])).toBe('0    5   10');
  });

  it('drops a label that would touch one placed before it', () => {
    expect(axisLabels(ten, 11, [{ at: 0, label: '-20.1%' }, { at: 1, label: '0' }, { at: 10, label: '+3%' }])).toBe('-20.1%  +3%');
  });
});

describe('renderChart', () => {
  it('lays out the title, the axis labels and one line per row with its note', () => {
    const lines = renderChart({
      title: ['T'],
      axis: { low: 0, high: 1 },
      ticks: [{ at: 0, label: '0' }, { at: 1, label: '1' }],
      rows: [{ label: 'a', items: [{ kind: 'point', at: 0.5, glyph: '●' }], note: '0.5' }, { label: 'bb', items: [], note: '—' }],
      indent: 2,
    }, UNICODE, 20);
    // label width 2, note width 3: plot width 20 − 2 − 2 − 1 − 4 = 11.
    expect(lines).toEqual(['T', '     0         1', '  a       ●      0.5', '  bb             —']);
  });

  it('keeps every line within the width, shortening long labels', () => {
    const lines = renderChart({
      title: ['x'.repeat(100)],
      axis: { low: 0, high: 1 },
      ticks: [{ at: 0, label: '0' }, { at: 1, label: '1' }],
      rows: [{ label: 'a-very-long-metric-name-indeed', items: [{ kind: 'span', from: 0, to: 1, glyph: '━' }], note: 'a note that is much too long' }],
    }, UNICODE, 80);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
    expect(lines[2].startsWith('a-very-long-metric-…')).toBe(true);
  });
});

describe('glyphsFor', () => {
  it('uses ASCII with TACT_ASCII=1 or a locale that is not UTF-8, block characters otherwise', () => {
    expect(glyphsFor({ TACT_ASCII: '1', LANG: 'C.UTF-8' })).toBe(ASCII);
    expect(glyphsFor({ LANG: 'C' })).toBe(ASCII);
    expect(glyphsFor({ LC_ALL: 'en_US.ISO-8859-1', LANG: 'en_US.UTF-8' })).toBe(ASCII);
    expect(glyphsFor({ TACT_ASCII: '0', LANG: 'C' })).toBe(UNICODE);
    expect(glyphsFor({ LANG: 'en_GB.utf8' })).toBe(UNICODE);
    expect(glyphsFor({})).toBe(UNICODE);
  });
});

describe('a label cut to fit', () => {
  it('ends in seven bits in ASCII (it ended in "…" there too)', () => {
    const chart = { axis: axisOf([0, 1]), ticks: [{ at: 0, label: '0' }], rows: [{ label: 'a label much longer than twenty characters', items: [] }], title: ['x'.repeat(100)] };
    const ascii = renderChart(chart, ASCII).join('\n');
    expect(/^[\x00-\x7f]*$/.test(ascii)).toBe(true);
    expect(ascii).toContain('a label much longer.');
    expect(renderChart(chart, UNICODE).join('\n')).toContain('a label much longer…');
  });
});
