/**
 * Exact Thompson-sampling probabilities for independent Beta beliefs:
 *   P(i wins) = ∫ f_i(t) · Π_{j≠i} F_j(t) dt
 * (f = Beta density, F = regularized incomplete beta). All K integrals share one globally
 * adaptive Gauss–Kronrod (G7/K15) panel set over the union of the beliefs' central
 * 1 − 2·10⁻¹² mass, so each node costs K incomplete-beta evaluations instead of K²; a panel's
 * error is the sum over actions of |K15 − G7|. This is the propensity of a non-contextual Thompson
 * policy, e.g. "which item for this slot" in the OBD evaluation.
 */
import { incompleteBeta, inverseIncompleteBeta } from '../math/incomplete-beta.js';
import { lnBeta } from '../math/special.js';
import type { BetaDist } from './beta-binomial.js';

const TAIL = 1e-12;
const XGK = [0.991455371120812639206854697526329, 0.949107912342758524526189684047851, 0.864864423359769072789712788640926, 0.741531185599394439863864773280788, 0.586087235467691130294144845693013, 0.405845151377397166906606412076961, 0.207784955007898467600689403773245, 0];
const WGK = [0.02293532201052922496373200805897, 0.063092092629978553290700663189204, 0.104790010322250183839876322541518, 0.140653259715525918745189590510238, 0.16900472663926790282658342659855, 0.190350578064785409913256402421014, 0.204432940075298892414161999234649, 0.209482141084727828012999174891714];
const WG = [0.129484966168869693270611432679082, 0.27970539148927666790146777142378, 0.381830050505118944950369775488975, 0.417959183673469387755102040816327];

/** Vector integrand at t: v_i = f_i(t)·Π_{j≠i} F_j(t) (prefix/suffix products, no division). */
function integrand(beliefs: BetaDist[], lnB: Float64Array, t: number, out: Float64Array): void {
  const k = beliefs.length;
  if (t <= 0 || t >= 1) {
    out.fill(0);
    return;
  }
  const F = new Float64Array(k);
  for (let j = 0; j < k; j++) F[j] = incompleteBeta(t, beliefs[j].alpha, beliefs[j].beta);
  const lt = Math.log(t);
  const l1t = Math.log1p(-t);
  let prefix = 1;
  const suffix = new Float64Array(k + 1);
  suffix[k] = 1;
  for (let j = k - 1; j >= 0; j--) suffix[j] = suffix[j + 1] * F[j];
  for (let i = 0; i < k; i++) {
    const { alpha, beta } = beliefs[i];
    out[i] = Math.exp((alpha - 1) * lt + (beta - 1) * l1t - lnB[i]) * prefix * suffix[i + 1];
    prefix *= F[i];
  }
}

interface Panel {
  a: number;
  b: number;
  value: Float64Array;
  error: number;
}

function panel(beliefs: BetaDist[], lnB: Float64Array, a: number, b: number): Panel {
  const k = beliefs.length;
  const c = 0.5 * (a + b);
  const h = 0.5 * (b - a);
  const kron = new Float64Array(k);
  const gauss = new Float64Array(k);
  const v1 = new Float64Array(k);
  const v2 = new Float64Array(k);
  integrand(beliefs, lnB, c, v1);
  for (let i = 0; i < k; i++) {
    kron[i] = v1[i] * WGK[7];
    gauss[i] = v1[i] * WG[3];
  }
  for (let j = 0; j < 7; j++) {
    integrand(beliefs, lnB, c - h * XGK[j], v1);
    integrand(beliefs, lnB, c + h * XGK[j], v2);
    for (let i = 0; i < k; i++) {
      const s = v1[i] + v2[i];
      kron[i] += WGK[j] * s;
      if (j % 2 === 1) gauss[i] += WG[(j - 1) / 2] * s;
    }
  }
  let error = 0;
  for (let i = 0; i < k; i++) {
    error += Math.abs((kron[i] - gauss[i]) * h);
    kron[i] *= h;
  }
  return { a, b, value: kron, error };
}

/**
 * Probability that each belief's draw is the largest, with an error bound.
 *
 * @example
 * betaWinProbabilities([{ alpha: 1, beta: 1 }, { alpha: 1, beta: 1 }]).probabilities; // [0.5, 0.5]
 */
export function betaWinProbabilities(beliefs: BetaDist[], tol = 1e-9, maxPanels = 400): { probabilities: Float64Array; errorBound: number } {
  const k = beliefs.length;
  const lnB = Float64Array.from(beliefs, (b) => lnBeta(b.alpha, b.beta));
  let lo = 1;
  let hi = 0;
  for (const b of beliefs) {
    lo = Math.min(lo, inverseIncompleteBeta(TAIL, b.alpha, b.beta));
    hi = Math.max(hi, inverseIncompleteBeta(1 - TAIL, b.alpha, b.beta));
  }
  const panels: Panel[] = [panel(beliefs, lnB, lo, hi)];
  let total = panels[0].error;
  while (total > tol && panels.length < maxPanels) {
    let worst = 0;
    for (let p = 1; p < panels.length; p++) if (panels[p].error > panels[worst].error) worst = p;
    const w = panels[worst];
    const m = 0.5 * (w.a + w.b);
    const left = panel(beliefs, lnB, w.a, m);
    const right = panel(beliefs, lnB, m, w.b);
    panels[worst] = left;
    panels.push(right);
    total += left.error + right.error - w.error;
  }
  const probabilities = new Float64Array(k);
  let errorBound = 0;
  for (const p of panels) {
    errorBound += p.error;
    for (let i = 0; i < k; i++) probabilities[i] += p.value[i];
  }
  for (let i = 0; i < k; i++) probabilities[i] = Math.max(0, probabilities[i]);
  return { probabilities, errorBound: errorBound + 2 * k * TAIL };
}
