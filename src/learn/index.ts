/**
 * The public surface of `learn` for the decision pipeline: every inferred number leaves here as an
 * {@link Estimate}. The maths is pure (no I/O); states are plain JSON for the store.
 *
 * @example
 * import { ladderEstimate, chooseAction, updateBandit, upliftEstimate, bestSendSlot, recommend } from '../learn/index.js';
 */
export type { Estimate, EstimateSource, EstimateStatus } from './estimate.js';
export { describeEstimate } from './estimate.js';

// Rates and the granularity ladder
export { type BetaDist, type RateCounts, type EstablishedWhen, recordOutcome, betaPosterior, betaInterval, rateEstimate, isEstablished } from './rates/beta-binomial.js';
export { fitBetaPrior, fitBetaMoments } from './rates/empirical-bayes.js';
export { fitConcentration } from './rates/concentration.js';
export { type LadderCounts, type LadderModel, type RungDetail, climbLadder, ladderEstimate } from './rates/ladder.js';
export { betaWinProbabilities } from './rates/thompson-beta.js';
export { betaBinomialInterval } from './rates/beta-binomial-predictive.js';
export { type OpenTrial, type TrialState, newTrialState, openTrial, resolveSuccess, expireTrials, countsAt, ownCounts, addTrialStates } from './rates/rate-trials.js';

// Micro-segments
export { type MicroSegmentModel, fitMicroSegments, microSegmentOf } from './segments/micro-segments.js';
export { kmeans, assignCluster } from './segments/kmeans.js';

// Personal baselines for metric streams
export { type BaselineConfig, type BaselineState, createBaseline, defaultBaselineConfig } from './baselines/metric-baseline.js';
export { issueForecast, observeReading } from './baselines/baseline-update.js';
export { baselineEstimate, checkReading, isBaselineEstablished } from './baselines/baseline-estimate.js';

// Contextual bandit
export { type BanditConfig, type BanditState, type BanditChoice, type ChooseOptions, createBandit, addAction, chooseAction, actionProbabilities, updateBandit, defaultBanditConfig } from './bandit/thompson.js';
export { type BanditJson, banditToJson, banditFromJson } from './bandit/serialize.js';
export { actionEstimate } from './bandit/action-estimate.js';

// Uplift
export type { UpliftData, UpliftModel } from './uplift/uplift-data.js';
export { fitTLearner, restoreTLearner } from './uplift/t-learner.js';
export { fitXLearner } from './uplift/x-learner.js';
export { fitSLearner } from './uplift/s-learner.js';
export { fitUpliftForest } from './uplift/uplift-forest.js';
export { upliftEstimate } from './uplift/uplift-estimate.js';
export { budgetedAssignment } from './uplift/targeting.js';

// Send time
export { SLOTS, SEND_TIME_ESTABLISHED, slotOf, populationSendTimePrior, bestSendSlot } from './send-time/send-time.js';
export { fitSendTimeStrength } from './send-time/strength.js';

// Recommendations
export { buildInteractions, itemCounts } from './recommend/interactions.js';
export { fitCooccurrence } from './recommend/cooccurrence.js';
export { fitEase } from './recommend/ease.js';
export { type Recommendation, type RecommendRequest, recommend, personalScores } from './recommend/recommend.js';
export { rerank } from './recommend/rerank.js';
export { type Neighbours, toNeighbours, neighbourScores } from './recommend/neighbours.js';

// Calibration
export { reliabilityReport, intervalCoverage } from './calibration/reliability.js';
export { type HeldOutPoint, type HeldOutReport, heldOutReport } from './calibration/held-out.js';

// Seeded randomness
export { Rng } from './math/prng.js';
