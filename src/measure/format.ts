import { type ChartRow, type Glyphs, axisOf, glyphsFor, renderChart } from '../cli/chart.js';
import type { EffectType } from './experiments/effect.js';
import type { ExperimentReadout } from './experiments/readout.js';
import type { HoldoutResults } from './experiments-service/holdout-results.js';
import type { ExperimentResults } from './experiments-service/results.js';
import type { PolicyEvaluation } from './policy-eval/evaluate.js';

const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
const share = (x: number) => `${(x * 100).toFixed(1)}%`;
/** An arm's mean; "—" for an arm with no unit (it printed 0.0000). */
const meanText = (x: number | null) => (x === null ? '—' : num(x));
const num = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(1) : Math.abs(x) >= 1 ? x.toFixed(3) : x.toFixed(4));

/**
 * An experiment's results as the CLI prints them: units, SRM, then one line per metric and arm,
 * and an interval plot per metric (drawn with `g`: block characters, or ASCII with TACT_ASCII=1).
 *
 * @example
 * process.stdout.write(formatResults(await experimentResults(store.measure, settings, 'hero-test')));
 */
export function formatResults(r: ExperimentResults, g: Glyphs = glyphsFor(process.env)): string {
  const lines = [
    `Experiment ${r.experiment.id} at ${r.experiment.placement} (${r.experiment.status}${r.window.stoppedAt !== null ? ` at ${r.window.stoppedAt}; ${readUpTo(r.window.to, r.window.stoppedAt)}` : ''}); control ${r.experiment.control}`,
    `Units (subjects, by first exposure): ${Object.entries(r.units).map(([a, n]) => `${a} ${n}`).join(', ')}; global holdout ${r.holdout}; ${r.decisions} decision${r.decisions === 1 ? '' : 's'}`,
    `Sample ratio check: ${srmLine(r.readout.srm)}`,
  ];
  if (r.periods.length > 1) {
    lines.push('', "Periods (UTC; each unit is expected under the weights of its first exposure):");
    for (const p of r.periods) {
      const arms = p.arms.map((a) => `${a.id} ${share(a.weight)}, ${p.units[a.id] ?? 0} units`);
      const others = Object.entries(p.units).filter(([id, n]) => n > 0 && !p.arms.some((a) => a.id === id)).map(([id, n]) => `${id} (not in this design), ${n} units`);
      lines.push(periodHead(p, p.status), ...wrapItems([...arms, ...others], '; ', '    '));
    }
  }
  lines.push(...readoutLines(r.readout, r.window.preDays, r.effect, g));
  return lines.join('\n') + '\n';
}

/**
 * Where a stopped experiment's window ends, said against its stop: the window read ends at the stop
 * unless `to` was given, which may end it before the stop or after it.
 *
 * @example
 * readUpTo('2026-12-05T10:39:30.000Z', '2026-12-05T10:41:04.620Z'); // 'read up to 2026-12-05T10:39:30.000Z, before its stop'
 */
function readUpTo(to: string, stoppedAt: string): string {
  const [end, stop] = [Date.parse(to), Date.parse(stoppedAt)];
  return end === stop ? 'read up to then' : `read up to ${to}, ${end < stop ? 'before' : 'after'} its stop`;
}

/**
 * The global holdout's readout as the CLI prints it: the holdout share, units and SRM, then one
 * line per metric (control: the holdout; treatment: the personalized subjects), and the interval
 * plot per metric.
 *
 * @example
 * process.stdout.write(formatHoldout(await holdoutResults(store.measure, settings, { placement: 'home' })));
 */
export function formatHoldout(r: HoldoutResults, g: Glyphs = glyphsFor(process.env)): string {
  const several = r.periods.length > 1;
  const expected = r.readout.srm.expected?.[0];
  // With several periods the check expects the mix of their shares, not the current one.
  const against = !several ? `${share(r.holdout.share)} : ${share(1 - r.holdout.share)}`
    : `each subject's share at its first decision${expected === undefined ? '' : ` (${Number(expected.toFixed(1))} of ${r.units.holdout + r.units.personalized} expected in the holdout)`}`;
  const lines = [
    `Global holdout (share ${share(r.holdout.share)}, salt ${r.holdout.salt}) against personalization at ${r.placement ?? 'every placement'}`,
    `Units (subjects, by first decision): holdout ${r.units.holdout}, personalized ${r.units.personalized}; ${r.decisions} decision${r.decisions === 1 ? '' : 's'}; ${r.crossovers} crossover${r.crossovers === 1 ? '' : 's'}`,
    `Sample ratio check against ${against}: ${srmLine(r.readout.srm)}`,
  ];
  if (several) {
    lines.push('', 'Periods (UTC; each subject is expected under the share of its first decision):');
    for (const p of r.periods) {
      lines.push(periodHead(p, p.salt === null ? 'no holdout' : `share ${share(p.share)}, salt ${p.salt}`), `    subjects: holdout ${p.units.holdout}, personalized ${p.units.personalized}`);
    }
  }
  lines.push(...readoutLines(r.readout, r.window.preDays, r.effect, g));
  return lines.join('\n') + '\n';
}

/** The text output's width: the periods are laid out within it. */
const WIDTH = 80;

/** An ISO time as `YYYY-MM-DD HH:MM` (UTC). */
const minute = (iso: string) => iso.slice(0, 16).replace('T', ' ');

/** A line cut to the width, with an ellipsis where it was cut. */
const fit = (line: string) => (line.length > WIDTH ? `${line.slice(0, WIDTH - 1)}…` : line);

/** A period's first line: from – to (`now` for the one in force), then what held over it. */
function periodHead(p: { from: string; to: string | null }, what: string): string {
  return fit(`  ${minute(p.from)} – ${(p.to === null ? 'now' : minute(p.to)).padEnd(16)}  ${what}`);
}

/** `items` joined by `sep`, as lines starting with `indent` and broken between items to fit the width. */
function wrapItems(items: string[], sep: string, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  items.forEach((item, i) => {
    const text = i < items.length - 1 ? item + sep.trimEnd() : item;
    if (line && line.length + 1 + text.length <= WIDTH) line += ` ${text}`;
    else {
      if (line) lines.push(line);
      line = fit(indent + text);
    }
  });
  if (line) lines.push(line);
  return lines;
}

/** The SRM test and its p-value: Pearson's χ², or the exact binomial test when an expected count is under 5. */
function srmLine(srm: ExperimentReadout['srm']): string {
  // No unit read (a window before the experiment): no test was made, so no "ok" (QA 2026-12-06: "χ² = 0.00, p = 1.00 — ok").
  if (srm.expected?.length && srm.expected.every((e) => e === 0)) return 'no unit read in the window: nothing to check';
  const test = srm.method === 'exact-binomial' ? 'exact binomial test (an expected count under 5)'
    : srm.method === 'bonferroni-exact-binomial' ? "each arm's exact binomial test, Bonferroni (an expected count under 5)"
    : `χ² = ${srm.chiSquare.toFixed(2)}`;
  return `${test}, p = ${srm.pValue.toPrecision(3)} — ${srm.mismatch ? 'MISMATCH' : 'ok'}`;
}

/** The metric table of a readout (one line per metric and arm), its interval plots, the CUPED note and the warnings. */
function readoutLines(readout: ExperimentReadout, preDays: number, effect: EffectType, g: Glyphs): string[] {
  const fx = effect === 'absolute' ? (x: number) => `${x >= 0 ? '+' : ''}${num(x)}` : pct;
  const lines: string[] = [];
  const w = Math.max(8, ...readout.metrics.map((m) => m.armId.length));
  const mw = Math.max(13, ...readout.metrics.map((m) => m.metric.length + 2));
  const level = `${Number(((1 - readout.alpha) * 100).toPrecision(3))}%`;
  lines.push('', `${'metric'.padEnd(mw)} ${'arm'.padEnd(w)} control    treatment  ${effect === 'absolute' ? 'diff    ' : 'lift    '}  ${`${level} CI`.padEnd(20)} always-valid CI      P(beat)  risk     verdict`);
  for (const m of readout.metrics) {
    const f = m.frequentist;
    const s = m.sequential;
    const b = m.bayesian;
    const ci = (x: { ci: [number, number] } | null) => (x ? `[${fx(x.ci[0])}, ${fx(x.ci[1])}]` : '—');
    lines.push(
      [
        `${m.metric}${m.cuped ? '*' : ''}`.padEnd(mw), m.armId.padEnd(w), meanText(m.control.mean).padEnd(10), meanText(m.treatment.mean).padEnd(10),
        (f ? fx(f.estimate) : '—').padEnd(9), ci(f).padEnd(20), ci(s).padEnd(20), (b ? b.chanceToWin.toFixed(3) : '—').padEnd(8),
        (b && b.risk.treatment !== null ? (effect === 'absolute' ? num(b.risk.treatment) : `${(b.risk.treatment * 100).toFixed(2)}%`) : '—').padEnd(8), m.verdict,
      ].join(' '),
    );
  }
  lines.push(...intervalPlots(readout, effect, g));
  if (readout.metrics.some((m) => m.cuped)) lines.push('', `* CUPED-adjusted with the ${preDays} days before each subject's first exposure.`);
  for (const w of readout.warnings) lines.push('', `WARNING: ${w}`);
  return lines;
}

/**
 * One plot per metric, one row per arm: the always-valid CI (wide) under the 1 − alpha CI, the estimate
 * on top, the zero line through them, on an axis that holds them all and zero.
 */
function intervalPlots(readout: ExperimentReadout, effect: EffectType, g: Glyphs): string[] {
  const fx = effect === 'absolute' ? (x: number) => `${x >= 0 ? '+' : ''}${num(x)}` : pct;
  const lines = ['', `Intervals (${g.ci} ${Number(((1 - readout.alpha) * 100).toPrecision(3))}% CI, ${g.wide} always-valid CI, ${g.point} estimate, ${g.line} ${effect === 'absolute' ? 'no difference' : 'no lift'}):`];
  const nameOf = (m: ExperimentReadout['metrics'][number]) => `${m.metric}${m.cuped ? '*' : ''}`;
  for (const name of new Set(readout.metrics.map(nameOf))) {
    const arms = readout.metrics.filter((m) => nameOf(m) === name);
    const axis = axisOf(arms.flatMap((m) => [...(m.frequentist ? [m.frequentist.estimate, ...m.frequentist.ci] : []), ...(m.sequential?.ci ?? [])]), [0]);
    const rows: ChartRow[] = arms.map((m) => ({
      label: m.armId,
      items: [
        { kind: 'span', from: m.sequential?.ci[0] ?? null, to: m.sequential?.ci[1] ?? null, glyph: g.wide },
        { kind: 'span', from: m.frequentist?.ci[0] ?? null, to: m.frequentist?.ci[1] ?? null, glyph: g.ci },
        { kind: 'line', at: 0, glyph: g.line },
        { kind: 'point', at: m.frequentist?.estimate ?? null, glyph: g.point },
      ],
      note: m.frequentist && Number.isFinite(m.frequentist.estimate) ? fx(m.frequentist.estimate) : '—',
    }));
    const [head, ...body] = renderChart({ axis, ticks: [0, axis.low, axis.high].map((at) => ({ at, label: at === 0 ? '0' : fx(at) })), rows, indent: 2 }, g);
    // The metric's name goes where the axis labels leave room, else on its own line.
    lines.push(...(head.slice(0, name.length + 1).trim() === '' ? [name + head.slice(name.length)] : [name, head]), ...body);
  }
  return lines;
}

/**
 * An off-policy evaluation as the CLI prints it: what was read, the estimates with their
 * intervals, the diagnostics and the warnings.
 *
 * @example
 * process.stdout.write(formatEvaluation(await evaluatePolicy(store.measure, store.documents, req)));
 */
export function formatEvaluation(e: PolicyEvaluation): string {
  const d = e.report.diagnostics;
  const lines = [
    `Candidate ${JSON.stringify(e.candidate)} at ${e.placement}: ${e.read} logged decisions read, ${e.report.n} evaluated`,
    ...Object.entries(e.skipped).map(([why, n]) => `  left out: ${n} — ${why}`),
    `Logged policy's value per decision: ${e.loggedValue === null ? '—' : num(e.loggedValue)}`,
    '',
  ];
  if (e.report.blocked) lines.push('No estimate: see the warnings.');
  else {
    lines.push('estimator  value     95% bootstrap CI');
    for (const [k, v] of Object.entries(e.report.estimates)) if (v) lines.push(`${k.toUpperCase().padEnd(10)} ${num(v.value).padEnd(9)} [${num(v.ci[0])}, ${num(v.ci[1])}]`);
    const c = e.report.clippedIps;
    if (c) lines.push(`${'IPS-CLIP'.padEnd(10)} ${num(c.value).padEnd(9)} [${num(c.ci[0])}, ${num(c.ci[1])}]  weights capped at ${num(c.clip)} (${c.rows} decision${c.rows === 1 ? '' : 's'}); bias ≈ ${num(-c.bias)}`);
  }
  lines.push(
    '',
    `Effective sample size ${d.effectiveSampleSize.toFixed(0)} of ${d.n}; largest weight ${d.maxWeight.toFixed(2)} (${(d.maxWeightShare * 100).toFixed(2)}% of the total); the top 1% of weights (${d.topWeights.rows}) ${(d.topWeights.weightShare * 100).toFixed(1)}% of the total and ${(d.topWeights.ipsShare * 100).toFixed(1)}% of IPS; logged choices the candidate never takes ${(d.zeroTargetShare * 100).toFixed(1)}%`,
  );
  for (const w of e.warnings) lines.push(`${w.severity === 'block' ? 'WARNING' : 'caution'}: ${w.message}`);
  return lines.join('\n') + '\n';
}
