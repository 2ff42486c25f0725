import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gauge } from 'prom-client';
import { bearer, harness, send, type Harness } from '../../test/harness.js';
import { exposition } from './routes.js';

/**
 * The whole of GET /metrics checked against the Prometheus text exposition format 0.0.4
 * (prometheus.io/docs/instrumenting/exposition_formats/, "Text format details") and the naming
 * rules of prometheus.io/docs/practices/naming/: one HELP and one TYPE line per family before its
 * samples, names and label names of the allowed characters, label values and HELP text escaped,
 * counters ending in `_total`, histograms with cumulative buckets ending at `+Inf` equal to `_count`.
 */
const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const VALUE = /^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?Inf|NaN)$/;

/** A bucket's upper bound (`+Inf` is how the format writes infinity). */
const bound = (le: string) => (le === '+Inf' ? Infinity : Number(le));

interface Sample { name: string; labels: Record<string, string>; value: number }

/** Parses `{a="x",b="y"}` from `i` (at the brace), unescaping values; throws on anything else. */
function labelsAt(line: string, i: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  i += 1;
  while (line[i] !== '}') {
    const eq = line.indexOf('=', i);
    const name = line.slice(i, eq);
    if (!LABEL.test(name)) throw new Error(`label name "${name}" in: ${line}`);
    if (name in labels) throw new Error(`label "${name}" twice in: ${line}`);
    if (line[eq + 1] !== '"') throw new Error(`label value not quoted in: ${line}`);
    let v = '';
    let j = eq + 2;
    for (; line[j] !== '"'; j++) {
      if (j >= line.length) throw new Error(`label value not closed in: ${line}`);
      if (line[j] === '\\') {
        const n = line[++j];
        if (n === 'n') v += '\n';
        else if (n === '\\' || n === '"') v += n;
        else throw new Error(`escape \\${n} in: ${line}`);
      } else v += line[j];
    }
    labels[name] = v;
    i = j + 1;
    if (line[i] === ',') i += 1;
    else if (line[i] !== '}') throw new Error(`expected , or } at ${i} in: ${line}`);
  }
  return { labels, end: i + 1 };
}

function parse(text: string) {
  const families = new Map<string, { help?: string; type?: string; samples: Sample[] }>();
  const family = (n: string) => families.get(n) ?? families.set(n, { samples: [] }).get(n)!;
  let current: string | undefined;
  const done = new Set<string>();
  expect(text.endsWith('\n'), 'the text ends with a line feed').toBe(true);
  for (const line of text.slice(0, -1).split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      const [, what, name, rest] = meta;
      if (!NAME.test(name)) throw new Error(`metric name "${name}"`);
      const f = family(name);
      if (f.samples.length) throw new Error(`${what} of ${name} after its samples`);
      if (what === 'HELP') {
        if (f.help !== undefined) throw new Error(`two HELP lines for ${name}`);
        if (/\\[^\\n]|\\$/.test(rest.replace(/\\\\/g, ''))) throw new Error(`HELP of ${name} has a bad escape`);
        f.help = rest;
      } else {
        if (f.type !== undefined) throw new Error(`two TYPE lines for ${name}`);
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest)) throw new Error(`TYPE ${rest} of ${name}`);
        f.type = rest;
      }
      if (current !== name && current !== undefined) done.add(current);
      if (done.has(name)) throw new Error(`${name} is split`);
      current = name;
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
    if (!m) throw new Error(`sample line: ${line}`);
    const name = m[1];
    let i = name.length;
    let labels: Record<string, string> = {};
    if (line[i] === '{') ({ labels, end: i } = labelsAt(line, i));
    const [value, timestamp, extra] = line.slice(i).trim().split(' ');
    if (line[i] !== ' ' || !VALUE.test(value) || (timestamp !== undefined && !/^-?\d+$/.test(timestamp)) || extra !== undefined) throw new Error(`sample line: ${line}`);
    const base = current !== undefined && (name === current || [`${current}_bucket`, `${current}_sum`, `${current}_count`].includes(name)) ? current : undefined;
    if (base === undefined) throw new Error(`sample ${name} outside its family (after ${current})`);
    family(base).samples.push({ name, labels, value: Number(value) });
  }
  return families;
}

describe('GET /metrics in the Prometheus text format', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite');
  });
  afterAll(async () => h.close());

  it('writes a value that is not a number as NaN (prom-client writes Nan; the event loop delay\'s mean is one before its first sample)', async () => {
    const gauge = new Gauge({ name: 'tact_test_not_a_number', help: 'A gauge with no value yet.', registers: [h.tact.metrics.registry] });
    gauge.set(NaN);
    try {
      const body = (await h.app.inject({ url: '/metrics' })).body;
      expect(body).toMatch(/^tact_test_not_a_number NaN$/m);
      expect(parse(body).get('tact_test_not_a_number')?.samples).toHaveLength(1);
    } finally {
      h.tact.metrics.registry.removeSingleMetric('tact_test_not_a_number');
    }
    expect(exposition('a 1\nb Nan\nc{x="Nan"} Nan\n')).toBe('a 1\nb NaN\nc{x="Nan"} NaN\n');
  });

  it('is valid exposition text, with HELP and TYPE for every family, escaped label values and well-formed histograms', async () => {
    await send(h.app, '/v1/track', { userId: 'u', event: 'A' });
    await h.app.inject({ url: '/v1/profiles/u', headers: { authorization: bearer() } });
    await h.app.inject({ url: '/no/such/route' });
    // An outcome type is the caller's text: a quote, a backslash and a line feed must be escaped.
    const odd = 'say "hi"\\now\nthen';
    expect((await h.app.inject({ method: 'POST', url: '/v1/outcomes', headers: { authorization: bearer() }, payload: { type: odd, subject: 'u' } })).statusCode).toBe(200);
    const families = parse((await h.app.inject({ url: '/metrics' })).body);
    expect(families.size).toBeGreaterThan(20);
    expect(families.get('tact_outcomes_total')?.samples.map((s) => s.labels.type)).toContain(odd);
    // A path no route takes is counted under one label, not its own: paths are the caller's text.
    const routes = new Set(families.get('tact_http_requests_total')?.samples.map((s) => s.labels.route));
    expect([...routes].sort()).toEqual(['/v1/outcomes', '/v1/profiles/:identifier', '/v1/track', 'unmatched']);
    for (const [name, f] of families) {
      expect(f.help, `HELP of ${name}`).toBeTruthy();
      expect(f.type, `TYPE of ${name}`).toBeTruthy();
      if (f.type === 'counter') expect(name, 'a counter ends in _total').toMatch(/_total$/);
      // prom-client's process metrics name three gauges `nodejs_active_*_total`; Tact's own do not.
      else if (!/^tact_(nodejs|process)_/.test(name)) expect(name, `a ${f.type} does not end in _total`).not.toMatch(/_total$/);
      if (f.type !== 'histogram') continue;
      const series = new Map<string, Sample[]>();
      for (const s of f.samples) {
        const { le, ...rest } = s.labels;
        const key = JSON.stringify(rest);
        series.set(key, [...(series.get(key) ?? []), s]);
        if (s.name.endsWith('_bucket')) expect(le, `${name} bucket has le`).toBeDefined();
      }
      for (const [key, samples] of series) {
        const buckets = samples.filter((s) => s.name === `${name}_bucket`);
        expect(buckets.at(-1)?.labels.le, `${name}${key} ends at +Inf`).toBe('+Inf');
        for (let i = 1; i < buckets.length; i++) {
          expect(bound(buckets[i].labels.le)).toBeGreaterThan(bound(buckets[i - 1].labels.le));
          expect(buckets[i].value).toBeGreaterThanOrEqual(buckets[i - 1].value);
        }
        expect(samples.find((s) => s.name === `${name}_count`)?.value, `${name}${key} _count`).toBe(buckets.at(-1)?.value);
        expect(samples.some((s) => s.name === `${name}_sum`)).toBe(true);
      }
    }
  });
});
