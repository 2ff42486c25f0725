/**
 * Nelder–Mead simplex minimisation (Lagarias et al. 1998 coefficients), for the few small,
 * smooth, derivative-free fits in the models (e.g. the empirical-Bayes Beta prior).
 */

/** Result of a minimisation. */
export interface Minimum {
  x: number[];
  value: number;
  iterations: number;
}

/**
 * Minimises f starting from x0 with initial step `step` per coordinate.
 *
 * @example
 * nelderMead(([x, y]) => (x - 1) ** 2 + (y + 2) ** 2, [0, 0]).x; // ≈ [1, −2]
 */
export function nelderMead(f: (x: number[]) => number, x0: number[], step = 0.5, tol = 1e-10, maxIter = 2000): Minimum {
  const n = x0.length;
  let simplex: { x: number[]; v: number }[] = [{ x: x0.slice(), v: f(x0) }];
  for (let i = 0; i < n; i++) {
    const x = x0.slice();
    x[i] += step;
    simplex.push({ x, v: f(x) });
  }
  let it = 0;
  for (; it < maxIter; it++) {
    simplex.sort((p, q) => p.v - q.v);
    const best = simplex[0];
    const worst = simplex[n];
    if (Math.abs(worst.v - best.v) <= tol * (Math.abs(best.v) + tol) && spread(simplex) < 1e-9) break;
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j] += simplex[i].x[j] / n;
    const along = (t: number) => centroid.map((c, j) => c + t * (worst.x[j] - c));
    const xr = along(-1);
    const vr = f(xr);
    if (vr < best.v) {
      const xe = along(-2);
      const ve = f(xe);
      simplex[n] = ve < vr ? { x: xe, v: ve } : { x: xr, v: vr };
    } else if (vr < simplex[n - 1].v) {
      simplex[n] = { x: xr, v: vr };
    } else {
      const outside = vr < worst.v;
      const xc = along(outside ? -0.5 : 0.5);
      const vc = f(xc);
      if (vc < (outside ? vr : worst.v)) {
        simplex[n] = { x: xc, v: vc };
      } else {
        simplex = simplex.map((p, i) => (i === 0 ? p : { x: p.x.map((xi, j) => best.x[j] + 0.5 * (xi - best.x[j])), v: NaN }));
        for (let i = 1; i <= n; i++) simplex[i].v = f(simplex[i].x);
      }
    }
  }
  simplex.sort((p, q) => p.v - q.v);
  return { x: simplex[0].x, value: simplex[0].v, iterations: it };
}

function spread(simplex: { x: number[] }[]): number {
  let s = 0;
  for (let i = 1; i < simplex.length; i++) for (let j = 0; j < simplex[0].x.length; j++) s = Math.max(s, Math.abs(simplex[i].x[j] - simplex[0].x[j]));
  return s;
}

/**
 * The maximiser of a unimodal f on [a, b] by golden-section search: stops when the bracket is
 * narrower than `tol` or after `maxIter` steps, and returns the bracket's midpoint.
 *
 * @example
 * goldenSectionMax((x) => -((x - 2) ** 2), 0, 5); // ≈ 2
 */
export function goldenSectionMax(f: (x: number) => number, a: number, b: number, tol = 1e-6, maxIter = 100): number {
  const phi = (Math.sqrt(5) - 1) / 2;
  let c = b - phi * (b - a);
  let d = a + phi * (b - a);
  let fc = f(c);
  let fd = f(d);
  for (let i = 0; i < maxIter && b - a > tol; i++) {
    if (fc > fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - phi * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + phi * (b - a);
      fd = f(d);
    }
  }
  return (a + b) / 2;
}
