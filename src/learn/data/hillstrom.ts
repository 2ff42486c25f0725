/**
 * The Hillstrom e-mail test (datasets/hillstrom): 64,000 customers randomised with p = 1/3 to
 * a men's e-mail, a women's e-mail or none. Features for the uplift models are built here.
 */
import { join } from 'node:path';
import { column, readCsv, numbers } from './csv.js';

/** Arms in model order: 0 = none. */
export const HILLSTROM_ARMS = ['No E-Mail', 'Mens E-Mail', 'Womens E-Mail'] as const;

/** Raw columns needed by the models. */
export interface Hillstrom {
  n: number;
  recency: Float64Array;
  history: Float64Array;
  mens: Float64Array;
  womens: Float64Array;
  newbie: Float64Array;
  zip: string[];
  channel: string[];
  arm: Int32Array;
  visit: Float64Array;
  conversion: Float64Array;
  spend: Float64Array;
}

/**
 * Loads datasets/hillstrom/hillstrom.csv.gz.
 *
 * @example
 * const data = loadHillstrom(ctx.datasetsDir); // data.n === 64000
 */
export function loadHillstrom(datasetsDir: string): Hillstrom {
  const t = readCsv(join(datasetsDir, 'hillstrom', 'hillstrom.csv.gz'));
  const n = t.rows.length;
  const num = (name: string) => Float64Array.from(numbers(t, name));
  const str = (name: string) => {
    const c = column(t, name);
    return t.rows.map((r) => r[c]);
  };
  const seg = column(t, 'segment');
  const arm = Int32Array.from(t.rows, (r) => {
    const k = HILLSTROM_ARMS.indexOf(r[seg] as (typeof HILLSTROM_ARMS)[number]);
    if (k < 0) throw new Error(`Unknown Hillstrom segment "${r[seg]}".`);
    return k;
  });
  return {
    n, recency: num('recency'), history: num('history'), mens: num('mens'), womens: num('womens'), newbie: num('newbie'),
    zip: str('zip_code'), channel: str('channel'), arm, visit: num('visit'), conversion: num('conversion'), spend: num('spend'),
  };
}

/** Number of model features (including the intercept). */
export const HILLSTROM_FEATURES = 13;

/**
 * Feature matrix: intercept, recency and log-history (standardised on `trainRows`, with squares),
 * mens, womens, both, newbie, zip (urban, rural vs suburban), channel (web, multichannel vs phone).
 *
 * @example
 * const X = hillstromFeatures(data, trainRows);
 */
export function hillstromFeatures(h: Hillstrom, trainRows: ArrayLike<number>): Float64Array {
  const d = HILLSTROM_FEATURES;
  const lh = Float64Array.from(h.history, (v) => Math.log1p(v));
  const stats = (xs: Float64Array) => {
    let m = 0;
    for (let r = 0; r < trainRows.length; r++) m += xs[trainRows[r]] / trainRows.length;
    let v = 0;
    for (let r = 0; r < trainRows.length; r++) v += (xs[trainRows[r]] - m) ** 2 / trainRows.length;
    return [m, Math.sqrt(v)] as const;
  };
  const [mr, sr] = stats(h.recency);
  const [mh, sh] = stats(lh);
  const X = new Float64Array(h.n * d);
  for (let i = 0; i < h.n; i++) {
    const r = (h.recency[i] - mr) / sr;
    const l = (lh[i] - mh) / sh;
    X.set([1, r, r * r, l, l * l, h.mens[i], h.womens[i], h.mens[i] * h.womens[i], h.newbie[i],
      h.zip[i] === 'Urban' ? 1 : 0, h.zip[i] === 'Rural' ? 1 : 0, h.channel[i] === 'Web' ? 1 : 0, h.channel[i] === 'Multichannel' ? 1 : 0], i * d);
  }
  return X;
}
