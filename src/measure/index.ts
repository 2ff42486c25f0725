/**
 * The measure capability's pure core: experiment statistics, off-policy evaluation and
 * monitors. No I/O here except the OBD evaluation's file reads (src/measure/evaluations).
 * See docs/measure-statistics.md for every formula and the references the tests use.
 */
export { assign, bucketHash, bucketRanges, chooseArm, fnv1a32 } from './experiments/assignment.js';
export type { Assignment, ExperimentDesign, HoldoutDesign } from './experiments/assignment.js';
export { summarizeMean, summarizeProportion, summarizeValues } from './experiments/summary.js';
export type { ArmSummary } from './experiments/summary.js';
export { welchTest } from './experiments/frequentist.js';
export type { FrequentistResult, WelchResult } from './experiments/frequentist.js';
export { scorePValue, scoreTest } from './experiments/score.js';
export type { ProportionCounts, ScoreResult } from './experiments/score.js';
export { moverRatio, newcombeDifference, wilsonInterval } from './stats/proportion-intervals.js';
export { sequentialProportionTest, sequentialTest, sequentialRho } from './experiments/sequential.js';
export type { SequentialResult } from './experiments/sequential.js';
export { bayesianTest } from './experiments/bayesian.js';
export type { BayesianResult } from './experiments/bayesian.js';
export { bayesianProportionTest, betaBinomialTest, probabilityBBeatsA } from './experiments/beta-binomial.js';
export { betaContrastQuantiles } from './stats/beta-contrast.js';
export { sampleRatioMismatch } from './experiments/srm.js';
export type { SrmResult } from './experiments/srm.js';
export { cupedAdjust, cupedSums, cupedTheta } from './experiments/cuped.js';
export type { CupedArmSums } from './experiments/cuped.js';
export { experimentReadout } from './experiments/readout.js';
export type { ExperimentReadout, MetricReadout, MetricSpec, MetricSums, ReadoutInput, Verdict } from './experiments/readout.js';
export type { EffectType } from './experiments/effect.js';

export { opeReport } from './ope/report.js';
export type { EstimatorResult, OpeReport, OpeReportOptions } from './ope/report.js';
export { estimate, opeTerms } from './ope/estimators.js';
export { opeDiagnostics, opeWarnings } from './ope/diagnostics.js';
export type { OpeDiagnostics, OpeWarning, OpeWarningCode } from './ope/diagnostics.js';
export { bootstrapIntervals } from './ope/bootstrap.js';
export { fitLogistic, predictLogistic, logLoss } from './ope/logistic.js';
export { fitSmoothedMeans, predictSmoothed } from './ope/smoothed-means.js';
export type { EstimatorName, LoggedFeedback } from './ope/types.js';

export { DEFAULT_MONITOR_CONFIG, initialMonitorState, monitorStep } from './monitors/monitor.js';
export type { MonitorAlert, MonitorConfig, MonitorMetric, MonitorState } from './monitors/monitor.js';
export { keyId } from './monitors/counters.js';
export type { MonitorEvent, MonitorKey } from './monitors/counters.js';
export { calibrationCheck, rateCheck, volumeCheck } from './monitors/checks.js';

export { createRng } from './stats/prng.js';
export { measureEvaluations } from './evaluations/index.js';
