/**
 * The checks a bandit's settings get where they are set (createBandit): the exploration budget and
 * the floor are shares in [0, 1], and the floor fits in the budget — a floor ε alone chooses a
 * non-greedy action ε·(K − 1)/K of the time, so a floor above the budget would explore more than
 * the policy allows (exploration.ts caps it for configs loaded from the store).
 */
import { type FieldProblem, validationError } from '../../errors/tact-error.js';
import type { BanditConfig } from './thompson.js';

/**
 * Each problem with the settings, as a sentence naming its field (none: fine).
 *
 * @example
 * banditConfigProblems({ ...defaultBanditConfig(2), floorEpsilon: 0.3, maxExplorationShare: 0.1 }); // [{ field: 'floorEpsilon', … }]
 */
export function banditConfigProblems(config: BanditConfig): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const share = (field: 'floorEpsilon' | 'maxExplorationShare') => {
    const v = config[field];
    if (typeof v === 'number' && v >= 0 && v <= 1) return true;
    problems.push({ field, message: `The \`${field}\` must be a share between 0 and 1; it was ${String(v)}.` });
    return false;
  };
  if (share('floorEpsilon') && share('maxExplorationShare') && config.floorEpsilon > config.maxExplorationShare) {
    problems.push({
      field: 'floorEpsilon',
      message: `The \`floorEpsilon\` (${config.floorEpsilon}) is above the \`maxExplorationShare\` (${config.maxExplorationShare}): the floor's uniform choices alone would explore more than the budget allows. Set the floor at most to the budget.`,
    });
  }
  return problems;
}

/**
 * Throws a validation error (the error catalogue's `validation_failed`) naming each field that is wrong.
 *
 * @example
 * assertBanditConfig(config); // before creating a bandit
 */
export function assertBanditConfig(config: BanditConfig): void {
  const problems = banditConfigProblems(config);
  if (problems.length) throw validationError(problems);
}
