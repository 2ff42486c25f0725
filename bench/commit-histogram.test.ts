import { describe, expect, it } from 'vitest';
import { commitSummary, type CommitCounts } from './commit-histogram.js';

const le = [0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, Infinity];

describe('commit histogram summary', () => {
  it('reads percentiles as bucket bounds from the difference of two cumulative readings', () => {
    const before: CommitCounts = { le, commit: le.map(() => 10), write: le.map(() => 10) };
    // 100 commits since: 60 at or under 0.5 ms, 38 more under 2 ms, one under 50 ms, one under 250 ms.
    const commit = [10, 70, 90, 108, 108, 108, 108, 109, 109, 110, 110, 110, 110, 110];
    const write = [70, 110, 110, 110, 110, 110, 110, 110, 110, 110, 110, 110, 110, 110];
    const s = commitSummary(before, { le, commit, write });
    expect(s).toEqual({ commits: 100, commitP50LeMs: 0.5, commitP99LeMs: 50, commitMaxLeMs: 250, commitsOver25ms: 2, writeP99LeMs: 0.5 });
  });

  it('says zero when nothing was committed', () => {
    const same: CommitCounts = { le, commit: le.map(() => 5), write: le.map(() => 5) };
    expect(commitSummary(same, same)).toMatchObject({ commits: 0, commitP99LeMs: 0, commitMaxLeMs: 0, commitsOver25ms: 0 });
  });
});
