import { learnEvaluations } from '../learn/evaluations/index.js';
import { measureEvaluations } from '../measure/evaluations/index.js';
import type { Evaluation } from './evaluation.js';

/** Every evaluation `tact evaluate` can run, by name. */
export const evaluations: Evaluation[] = [...learnEvaluations, ...measureEvaluations];
