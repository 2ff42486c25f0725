/**
 * Logged bandit feedback as the off-policy estimators read it: one row per logged decision.
 * Plain arrays or typed arrays; matrices are row-major n × nActions.
 */
export interface LoggedFeedback {
  /** Observed reward of each logged decision (a click, a conversion, revenue…). */
  reward: ArrayLike<number>;
  /** The logging policy's probability of the action it took (the decision log's propensity). */
  loggedPropensity: ArrayLike<number>;
  /** The candidate policy's probability of that same logged action. */
  targetProbability: ArrayLike<number>;
  /** Number of actions K; needed with the matrices below. */
  nActions?: number;
  /** Logged action index in 0..K−1, needed for the direct method and doubly robust. */
  action?: ArrayLike<number>;
  /** The candidate's distribution over the K actions in each row's context (n × K). */
  targetDistribution?: ArrayLike<number>;
  /** Reward model predictions q̂(x_i, a) for every action (n × K). */
  rewardPrediction?: ArrayLike<number>;
  /**
   * Optional: the logging policy's full distribution (n × K). With it, the support check is exact;
   * without it, an action counts as unsupported when the log never shows it.
   */
  loggedDistribution?: ArrayLike<number>;
}

export type EstimatorName = 'ips' | 'snips' | 'dm' | 'dr' | 'sndr';
