/** The models with a reliability report: the learned rates, the decisions' goal-rate estimates, and the uplift model's predicted uplift. */
export const CALIBRATED_MODELS = ['rates', 'decisions', 'uplift'] as const;

/**
 * A reliability bin with fewer predictions than this is said to hold few: its observed rate is
 * noisy (at a rate of 0.5 its standard error is √(0.25/30) ≈ 0.09 at 30 rows, more below), as
 * large as the gaps the chart is read for, and the MCE is often such a bin's gap.
 *
 * @example
 * report.bins.filter((b) => b.count < FEW_ROWS);
 */
export const FEW_ROWS = 30;
