/**
 * The regularized incomplete beta function I_x(a, b), its inverse, and Student's t — from the
 * shared src/maths, under the names the models use.
 *
 * @example
 * incompleteBeta(0.5, 2, 2); // 0.5
 */
export { betaQuantile as inverseIncompleteBeta, studentTCdf, studentTQuantile } from '../../maths/distributions.js';
export { regularizedBeta as incompleteBeta } from '../../maths/special.js';
