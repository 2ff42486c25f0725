import { segmentsKind } from '../segments/segments-kind.js';
import { metricsKind } from './baselines/metrics-kind.js';
import { ratesKind } from './rates/rates-kind.js';
import { recommendationsKind } from './recommend/recommendations-kind.js';
import { sendTimeKind } from './send-time/send-time-kind.js';
import { trainingKind } from './train/training-kind.js';

/**
 * The configuration kinds of the models, in load order (appended to Tact's `documentKinds`).
 *
 * @example
 * export const documentKinds = [featuresKind, …, ...learnKinds];
 */
export const learnKinds = [segmentsKind, metricsKind, ratesKind, sendTimeKind, recommendationsKind, trainingKind];
