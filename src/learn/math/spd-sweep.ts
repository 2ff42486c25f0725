import { spdInverseInPlace } from './linalg.js';
import { SWEEP_KERNEL_WASM } from './sweep-kernel-wasm.js';

/** Rows of the panels a block of the update keeps in cache while every row below it passes (≈ 128 KB at a block of 64). */
const COLUMN_BLOCK = 256;

/**
 * In-place inverse of a symmetric positive definite matrix (row-major n×n; only its lower triangle
 * is read) by the blocked symmetric sweep (Goodnight 1979, "A tutorial on the SWEEP operator",
 * The American Statistician 33(3); the block form as in Golub & Van Loan, Matrix Computations, 4th
 * ed., §3.2 and §4.2). Sweeping a block K of `nb` indices with T = A_KK⁻¹ (A_KK is then a Schur
 * complement of the blocks swept before it, so positive definite):
 *
 *     A_KK ← −T,   A_RK ← A_RK·T,   A_RR ← A_RR − A_RK·T·A_KR   (R: every other index)
 *
 * and once every block is swept the matrix holds −A⁻¹. The update A_RR is all but n³/2 of the
 * n³/2 + O(n²·nb) multiply-adds (its lower triangle only), done a tile at a time from two
 * contiguous panels held in cache — arithmetic, not memory, bounds it, where the row-by-row
 * Cholesky inverse (linalg.ts `spdInverseInPlace`) streams the whole matrix for every row and, past
 * about 1,000 rows, waits on memory. The update runs in WebAssembly with 128-bit SIMD
 * (sweep-kernel.wat, with the panel product Y = X·T; the matrix copied into its memory and back)
 * from 4·nb rows on — the whole inverse 3.8–4.0× faster than the same sweep in JavaScript (`simd`
 * false: 4×4 tiles of scalars), which is kept where the kernel cannot run (docs/adr/0008). Returns
 * `a`, now holding the full symmetric inverse.
 *
 * @example
 * spdInverseSwept(Float64Array.from([4, 2, 2, 3]), 2); // [0.375, -0.25, -0.25, 0.5] (to rounding)
 */
export function spdInverseSwept(a: Float64Array, n: number, nb = 64, simd = true): Float64Array {
  const wasm = simd && n >= 4 * nb ? simdSweep(n, nb) : undefined;
  if (!wasm) return sweep(a, n, nb, { x: new Float64Array(n * nb), y: new Float64Array(n * nb), t: new Float64Array(nb * nb), at: new Int32Array(n), update: sweepUpdate, panel: panelTimes });
  // In the kernel's memory and back: two copies of n² numbers, against n³/2 multiply-adds.
  wasm.a.set(a);
  sweep(wasm.a, n, nb, wasm);
  a.set(wasm.a);
  return a;
}

/**
 * {@link spdInverseSwept} of a matrix `fill` writes into a zeroed n×n array it is given (its lower
 * triangle at least): made where the SIMD kernel works, so the matrix is not copied into its memory
 * and back — at 20,000 rows, 3.2 GB held once instead of twice. Returns that array, now holding the
 * inverse (a view of the kernel's memory, which it keeps alive).
 *
 * @example
 * spdInverseSweptFilled(2, (a) => a.set([4, 2, 2, 3])); // [0.375, -0.25, -0.25, 0.5] (to rounding)
 */
export function spdInverseSweptFilled(n: number, fill: (a: Float64Array) => void, nb = 64): Float64Array {
  const wasm = n >= 4 * nb ? simdSweep(n, nb) : undefined;
  if (!wasm) {
    const a = new Float64Array(n * n);
    fill(a);
    return spdInverseSwept(a, n, nb, false);
  }
  fill(wasm.a);
  return sweep(wasm.a, n, nb, wasm);
}

/** The update of one block's sweep: `sweepUpdate`'s arguments. */
type Update = (a: Float64Array, n: number, x: Float64Array, y: Float64Array, m: number, at: Int32Array, rest: number) => void;
/** Y = X·T for the first `rows` rows of the panels (m wide), T m × m. */
type Panel = (x: Float64Array, t: Float64Array, y: Float64Array, m: number, rows: number) => void;
/** What a sweep works in: its panels (`x`, `y`: n × nb), T (nb × nb), the other indices' list, and its update and panel product. */
interface Work {
  x: Float64Array;
  y: Float64Array;
  t: Float64Array;
  at: Int32Array;
  update: Update;
  panel: Panel;
}

/** Y = X·T in JavaScript. */
function panelTimes(x: Float64Array, t: Float64Array, y: Float64Array, m: number, rows: number): void {
  for (let r = 0; r < rows; r++) {
    const xr = r * m;
    for (let q = 0; q < m; q++) {
      let s = 0;
      for (let p = 0; p < m; p++) s += x[xr + p] * t[p * m + q];
      y[xr + q] = s;
    }
  }
}

/** {@link spdInverseSwept} in the given {@link Work}. */
function sweep(a: Float64Array, n: number, nb: number, w: Work): Float64Array {
  const { x, y, t, at, update, panel } = w;
  for (let k0 = 0; k0 < n; k0 += nb) {
    const m = Math.min(nb, n - k0);
    const rest = n - m;
    // The other indices, in order: `at[r]` is the r-th.
    for (let r = 0; r < rest; r++) at[r] = r < k0 ? r : r + m;
    // T = A_KK⁻¹ (A_KK from the lower triangle).
    for (let p = 0; p < m; p++) {
      for (let q = 0; q <= p; q++) t[p * m + q] = t[q * m + p] = a[(k0 + p) * n + k0 + q];
    }
    spdInverseInPlace(t, m);
    // X = A_RK as it is, Y = A_RK·T; a row each of the other indices, m numbers long.
    for (let r = 0; r < rest; r++) {
      const i = at[r];
      for (let q = 0; q < m; q++) x[r * m + q] = i > k0 + q ? a[i * n + k0 + q] : a[(k0 + q) * n + i];
    }
    panel(x, t, y, m, rest);
    update(a, n, x, y, m, at, rest);
    // A_RK ← Y (where the lower triangle keeps it), A_KK ← −T.
    for (let r = 0; r < rest; r++) {
      const i = at[r];
      for (let q = 0; q < m; q++) {
        if (i > k0 + q) a[i * n + k0 + q] = y[r * m + q];
        else a[(k0 + q) * n + i] = y[r * m + q];
      }
    }
    for (let p = 0; p < m; p++) for (let q = 0; q <= p; q++) a[(k0 + p) * n + k0 + q] = -t[p * m + q];
  }
  // −A⁻¹ in the lower triangle: negated, and mirrored into the upper.
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = -a[i * n + j];
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  }
  return a;
}

/** The SIMD kernel's module (sweep-kernel.wat), compiled once; null where this runtime cannot. */
let kernel: WebAssembly.Module | null | undefined;

/**
 * The matrix, its panels and the other indices' list in a WebAssembly memory of their own, and the
 * update by the SIMD kernel (sweep-kernel.wat: 2×4 tiles, the sums over a panel's width two at a
 * time) — or undefined where WebAssembly's SIMD is missing, or the matrix does not fit in its 4 GiB
 * (about 22,900 items). Exported for `npm run bench -- ease`, which times the update on panels
 * that stay in cache.
 */
export function simdSweep(n: number, nb: number): (Work & { a: Float64Array }) | undefined {
  const atOff = 0;
  const tOff = align16(atOff + 4 * n);
  const xOff = tOff + 8 * nb * nb;
  const yOff = xOff + 8 * n * nb;
  const aOff = yOff + 8 * n * nb;
  const bytes = aOff + 8 * n * n;
  if (bytes > 65_536 * 65_536) return undefined;
  if (kernel === undefined) {
    try {
      kernel = new WebAssembly.Module(Buffer.from(SWEEP_KERNEL_WASM, 'base64'));
    } catch {
      kernel = null;
    }
  }
  if (!kernel) return undefined;
  let memory: WebAssembly.Memory;
  let views: { a: Float64Array; x: Float64Array; y: Float64Array; t: Float64Array; at: Int32Array };
  try {
    const pages = Math.ceil(bytes / 65_536);
    memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    const buffer = memory.buffer;
    views = { a: new Float64Array(buffer, aOff, n * n), x: new Float64Array(buffer, xOff, n * nb), y: new Float64Array(buffer, yOff, n * nb), t: new Float64Array(buffer, tOff, nb * nb), at: new Int32Array(buffer, atOff, n) };
  } catch {
    // Memory this large refused (the host, or a typed array's limit near 4 GiB): the JavaScript update.
    return undefined;
  }
  const { block, panel: times } = new WebAssembly.Instance(kernel, { env: { memory } }).exports as Record<'block' | 'panel', (...args: number[]) => void>;
  // T is m × m at the start of its region, as the JavaScript product reads it; a width not a whole number of eights (the last block's, at most) is the JavaScript product's.
  const panel: Panel = (x, t, y, m, rows) => (m % 8 ? panelTimes(x, t, y, m, rows) : times(xOff, tOff, yOff, m, rows));
  const update: Update = (a, size, x, y, m, at, rest) => {
    // An odd width (the last block's, at most) is the JavaScript update's: the kernel sums two at a time.
    if (m % 2) return sweepUpdate(a, size, x, y, m, at, rest);
    const whole = rest - (rest % 4);
    for (let s0 = 0; s0 < whole; s0 += COLUMN_BLOCK) block(aOff, size, xOff, yOff, m, atOff, s0, whole, s0, Math.min(whole, s0 + COLUMN_BLOCK));
    remainderRows(a, size, x, y, m, at, rest, whole);
  };
  return { ...views, update, panel };
}

const align16 = (b: number) => Math.ceil(b / 16) * 16;

/**
 * A_ij −= Σ_q Y[r][q]·X[s][q] for the other indices i = at[r], j = at[s], j ≤ i (the lower
 * triangle; a tile on the diagonal writes its few upper entries too, which nothing reads). Columns
 * a block of {@link COLUMN_BLOCK} at a time, so that block's rows of X stay in cache while every row of
 * Y at or below it passes. Exported for `npm run bench -- ease`, which times it on panels that stay in
 * cache (the ceiling a whole inverse is compared with).
 */
export function sweepUpdate(a: Float64Array, n: number, x: Float64Array, y: Float64Array, m: number, at: Int32Array, rest: number): void {
  const whole = rest - (rest % 4);
  for (let s0 = 0; s0 < whole; s0 += COLUMN_BLOCK) {
    const sEnd = Math.min(whole, s0 + COLUMN_BLOCK);
    for (let r = s0; r < whole; r += 4) {
      const y0 = r * m;
      const y1 = y0 + m;
      const y2 = y1 + m;
      const y3 = y2 + m;
      const a0 = at[r] * n;
      const a1 = at[r + 1] * n;
      const a2 = at[r + 2] * n;
      const a3 = at[r + 3] * n;
      const last = Math.min(sEnd, r + 4);
      for (let s = s0; s < last; s += 4) {
        const x0 = s * m;
        const x1 = x0 + m;
        const x2 = x1 + m;
        const x3 = x2 + m;
        let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (let q = 0; q < m; q++) {
          const u0 = y[y0 + q], u1 = y[y1 + q], u2 = y[y2 + q], u3 = y[y3 + q];
          const w0 = x[x0 + q], w1 = x[x1 + q], w2 = x[x2 + q], w3 = x[x3 + q];
          c00 += u0 * w0; c01 += u0 * w1; c02 += u0 * w2; c03 += u0 * w3;
          c10 += u1 * w0; c11 += u1 * w1; c12 += u1 * w2; c13 += u1 * w3;
          c20 += u2 * w0; c21 += u2 * w1; c22 += u2 * w2; c23 += u2 * w3;
          c30 += u3 * w0; c31 += u3 * w1; c32 += u3 * w2; c33 += u3 * w3;
        }
        const j0 = at[s], j1 = at[s + 1], j2 = at[s + 2], j3 = at[s + 3];
        a[a0 + j0] -= c00; a[a0 + j1] -= c01; a[a0 + j2] -= c02; a[a0 + j3] -= c03;
        a[a1 + j0] -= c10; a[a1 + j1] -= c11; a[a1 + j2] -= c12; a[a1 + j3] -= c13;
        a[a2 + j0] -= c20; a[a2 + j1] -= c21; a[a2 + j2] -= c22; a[a2 + j3] -= c23;
        a[a3 + j0] -= c30; a[a3 + j1] -= c31; a[a3 + j2] -= c32; a[a3 + j3] -= c33;
      }
    }
  }
  remainderRows(a, n, x, y, m, at, rest, whole);
}

/** The update's rows past the last whole tile (from `whole`), against every column at or before them. */
function remainderRows(a: Float64Array, n: number, x: Float64Array, y: Float64Array, m: number, at: Int32Array, rest: number, whole: number): void {
  for (let r = whole; r < rest; r++) {
    const ai = at[r] * n;
    for (let s = 0; s <= r; s++) {
      let c = 0;
      for (let q = 0; q < m; q++) c += y[r * m + q] * x[s * m + q];
      a[ai + at[s]] -= c;
    }
  }
}
