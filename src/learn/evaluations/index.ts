/**
 * The five evaluations of issue 4, as the CLI (`tact evaluate <name> --json`) lists them.
 *
 * @example
 * const bandit = learnEvaluations.find((e) => e.name === 'bandit');
 */
import type { Evaluation } from '../../evaluate/evaluation.js';
import { airQualityEvaluation } from './air-quality.js';
import { banditEvaluation } from './bandit.js';
import { calibrationEvaluation } from './calibration.js';
import { hillstromEvaluation } from './hillstrom.js';
import { obdEvaluation } from './obd.js';

/** bandit, obd, hillstrom, air-quality, calibration — in that order. */
export const learnEvaluations: Evaluation[] = [banditEvaluation, obdEvaluation, hillstromEvaluation, airQualityEvaluation, calibrationEvaluation];
