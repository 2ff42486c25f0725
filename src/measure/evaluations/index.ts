/** The measure capability's evaluations, for `tact evaluate <name>`. */
import type { Evaluation } from '../../evaluate/evaluation.js';
import { opeObdEvaluation } from './ope-obd.js';

export const measureEvaluations: Evaluation[] = [opeObdEvaluation];
