import type { Tact } from '../../server/tact.js';
import type { DecisionRecord } from '../decision.js';
import { policyKind } from '../kinds.js';
import type { Policy } from '../policy.js';
import { estimateLevel } from '../policy-compile.js';

/**
 * The interval level of a logged decision's estimates: `estimates.level` of the policy version it
 * was made under — the one in force when it still is (no read), else the stored version, read once
 * (a stored version never changes).
 *
 * @example
 * const levelOf = policyLevels(tact);
 * decisionView(d, { full: true, public: false, level: await levelOf(d) });
 */
export function policyLevels(tact: Pick<Tact, 'settings' | 'store'>): (d: Pick<DecisionRecord, 'policyVersion'>) => number | Promise<number> {
  const stored = new Map<number, Promise<number>>();
  return (d) => {
    if (tact.settings.version('policy') === d.policyVersion) return tact.settings.get(policyKind).estimates.level;
    let level = stored.get(d.policyVersion);
    if (!level) {
      level = tact.store.documents.get<Policy>('policy', d.policyVersion).then((doc) => estimateLevel(doc?.body ?? {}));
      level.catch(() => stored.delete(d.policyVersion));
      if (stored.size > 1000) stored.clear();
      stored.set(d.policyVersion, level);
    }
    return level;
  };
}
