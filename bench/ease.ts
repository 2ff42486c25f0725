import { spdInverseInPlace } from '../src/learn/math/linalg.js';
import { simdSweep, spdInverseSwept, sweepUpdate } from '../src/learn/math/spd-sweep.js';
import { addGram, fitEase } from '../src/learn/recommend/ease.js';
import { buildInteractions, type Interactions } from '../src/learn/recommend/interactions.js';

/** Interactions of a shop: `items` items, 20 subjects an item, each with 2–16 items drawn with a popularity skew (seeded). */
function shop(items: number): Interactions {
  let s = 12345;
  const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const subjects = items * 20;
  const subject: number[] = [];
  const item: number[] = [];
  for (let u = 0; u < subjects; u++) {
    const k = 2 + Math.floor(rnd() * 15);
    for (let j = 0; j < k; j++) {
      subject.push(u);
      item.push(Math.floor(rnd() * rnd() * items));
    }
  }
  return buildInteractions(subjects, items, subject, item);
}

/** The Gram matrix EASE inverts (λ = 200, fitEase's default), in an array of its own. */
function gram(data: Interactions): Float64Array {
  const g = new Float64Array(data.items * data.items);
  addGram(data, 200, g);
  return g;
}

/**
 * Multiply-adds a second of the sweep's update (the SIMD kernel's, or with `js` the JavaScript
 * one's) on a matrix and panels small enough to stay in cache: the arithmetic it reaches at best.
 */
function ceiling(seconds: number, js = false): number {
  const n = 256;
  const m = 64;
  const rest = n - m;
  const simd = js ? undefined : simdSweep(n, m);
  const a = simd?.a ?? new Float64Array(n * n);
  const x = simd?.x ?? new Float64Array(n * m);
  const y = simd?.y ?? new Float64Array(n * m);
  const at = simd?.at ?? new Int32Array(n);
  for (let i = 0; i < rest * m; i++) {
    x[i] = ((i * 7919) % 1000) / 1000;
    y[i] = ((i * 104729) % 1000) / 1000;
  }
  for (let r = 0; r < n; r++) at[r] = r;
  const update = simd?.update ?? sweepUpdate;
  let done = 0;
  const t = performance.now();
  while (performance.now() - t < seconds * 1000) {
    update(a, n, x, y, m, at, rest);
    done += 1;
  }
  // The lower triangle of rest × rest, m multiply-adds an entry (as `work` counts them).
  const perCall = (rest * (rest + 1) * m) / 2;
  return (done * perCall) / ((performance.now() - t) / 1000);
}

/**
 * The multiply-adds of the sweep's inverse of n×n in blocks of 64 (spd-sweep.ts): per block, the
 * update's lower triangle of the other indices (m each) and their panel times T (m² each) — about
 * n³/2 in all.
 */
function work(n: number, nb = 64): number {
  let total = 0;
  for (let k0 = 0; k0 < n; k0 += nb) {
    const m = Math.min(nb, n - k0);
    const rest = n - m;
    total += (rest * (rest + 1) * m) / 2 + rest * m * m;
  }
  return total;
}

const rate = (n: number, ms: number) => work(n) / (ms / 1000);
const g = (v: number) => (v / 1e9).toFixed(2);

/**
 * EASE's inverse at a catalog's size: a whole fit (fitEase: the Gram matrix, its inverse by the
 * blocked sweep, the weights) and the inverse alone, against the ceiling — the sweep's SIMD update
 * on panels that stay in cache —, the same sweep in JavaScript, and the row-by-row Cholesky inverse
 * EASE used until 2026-12-07.
 */
export async function easeBench(args: string[]): Promise<Record<string, unknown>> {
  const quick = args.includes('--quick');
  const at = args.indexOf('--items');
  const n = at >= 0 ? Number(args[at + 1]) : quick ? 2_000 : 5_000;
  const before = Math.min(n, 3_000);
  process.stdout.write(`ease: ${n.toLocaleString('en-US')} items (one thread; ${(work(n) / 1e9).toFixed(1)} billion multiply-adds an inverse)…\n`);
  const data = shop(n);
  let t = performance.now();
  fitEase(data);
  const fitMs = performance.now() - t;
  process.stdout.write(`  a whole fit (fitEase: Gram matrix, inverse, weights): ${(fitMs / 1000).toFixed(2)} s\n`);
  const a = gram(data);
  t = performance.now();
  spdInverseSwept(a, n);
  const sweptMs = performance.now() - t;
  const top = ceiling(quick ? 2 : 5);
  const ours = rate(n, sweptMs);
  process.stdout.write(`  the inverse by the blocked sweep (SIMD kernel): ${(sweptMs / 1000).toFixed(2)} s, ${g(ours)} billion multiply-adds a second\n`);
  process.stdout.write(`  ceiling, the kernel's update on panels in cache: ${g(top)} billion a second; ratio ${(ours / top).toFixed(3)}\n`);
  const c = gram(data);
  t = performance.now();
  spdInverseSwept(c, n, 64, false);
  const jsMs = performance.now() - t;
  const jsTop = ceiling(quick ? 1 : 3, true);
  // The two inverses, entry by entry, relative to the largest.
  let apart = 0;
  let scale = 0;
  for (let i = 0; i < n * n; i++) {
    apart = Math.max(apart, Math.abs(a[i] - c[i]));
    scale = Math.max(scale, Math.abs(c[i]));
  }
  const same = apart <= 1e-10 * scale;
  process.stdout.write(`  the same sweep in JavaScript (4×4 tiles of scalars): ${(jsMs / 1000).toFixed(2)} s (${(jsMs / sweptMs).toFixed(1)}× the kernel's), ${g(rate(n, jsMs))} billion a second against its own in cache, ${g(jsTop)}; the same inverse: ${same} (${(apart / scale).toExponential(1)} apart)\n`);
  const b = gram(before === n ? data : shop(before));
  t = performance.now();
  spdInverseInPlace(b, before);
  const oldMs = performance.now() - t;
  const sweptBefore = before === n ? sweptMs : (() => {
    const d = gram(shop(before));
    const s0 = performance.now();
    spdInverseSwept(d, before);
    return performance.now() - s0;
  })();
  process.stdout.write(`  at ${before.toLocaleString('en-US')} items, the row-by-row Cholesky inverse (until 2026-12-07): ${(oldMs / 1000).toFixed(2)} s against ${(sweptBefore / 1000).toFixed(2)} s (${(oldMs / sweptBefore).toFixed(1)}×)\n`);
  const at20k = (sweptMs / 1000) * (20_000 / n) ** 3;
  process.stdout.write(`  20,000 items at this rate: about ${Math.round(at20k / 60)} min an inverse\n`);
  return {
    bench: 'ease',
    items: n,
    fit_s: Number((fitMs / 1000).toFixed(3)),
    inverse_s: Number((sweptMs / 1000).toFixed(3)),
    gmadds_per_s: Number(g(ours)),
    ceiling_gmadds_per_s: Number(g(top)),
    ratio: Number((ours / top).toFixed(3)),
    js_inverse_s: Number((jsMs / 1000).toFixed(3)),
    js_ceiling_gmadds_per_s: Number(g(jsTop)),
    same_inverse: same,
    before_items: before,
    before_inverse_s: Number((oldMs / 1000).toFixed(3)),
    speedup_vs_before: Number((oldMs / sweptBefore).toFixed(2)),
    est_20k_min: Math.round(at20k / 60),
  };
}
