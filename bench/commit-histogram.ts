/** The server's store commits as `/metrics` counts them: cumulative bucket counts by upper bound (ms). */
export interface CommitCounts {
  /** Upper bounds in ms, ascending, the last Infinity. */
  le: number[];
  commit: number[];
  write: number[];
}

/** Reads `tact_store_commit_duration_seconds` from the server's /metrics. */
export async function commitCounts(base: string): Promise<CommitCounts> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const out: CommitCounts = { le: [], commit: [], write: [] };
  const byPhase: Record<string, Map<number, number>> = { commit: new Map(), write: new Map() };
  for (const m of text.matchAll(/^tact_store_commit_duration_seconds_bucket\{le="([^"]+)",phase="(commit|write)"\} (\d+)/gm)) {
    const le = m[1] === '+Inf' ? Infinity : Number(m[1]) * 1000;
    byPhase[m[2] as 'commit' | 'write'].set(le, Number(m[3]));
  }
  out.le = [...byPhase.commit.keys()].sort((a, b) => a - b);
  out.commit = out.le.map((le) => byPhase.commit.get(le) ?? 0);
  out.write = out.le.map((le) => byPhase.write.get(le) ?? 0);
  return out;
}

/** What the commits between two readings came to: their number, and percentiles as the bucket bound they fall under. */
export interface CommitSummary {
  commits: number;
  commitP50LeMs: number;
  commitP99LeMs: number;
  /** The bound of the highest bucket any commit fell in. */
  commitMaxLeMs: number;
  /** Commits slower than 25 ms. */
  commitsOver25ms: number;
  writeP99LeMs: number;
}

/**
 * Commits between `before` and `after`. A histogram gives each percentile as the upper bound of its
 * bucket (p99 ≤ 5 ms), not an exact figure.
 *
 * @example
 * const s = commitSummary(await commitCounts(base), await commitCounts(base)); // s.commits === 0
 */
export function commitSummary(before: CommitCounts, after: CommitCounts): CommitSummary {
  const delta = (phase: 'commit' | 'write') => after.le.map((le, i) => (after[phase][i] ?? 0) - (before.le.includes(le) ? before[phase][before.le.indexOf(le)] ?? 0 : 0));
  const commit = delta('commit');
  const write = delta('write');
  const total = commit[commit.length - 1] ?? 0;
  const at = (cum: number[], p: number) => {
    const n = cum[cum.length - 1] ?? 0;
    const i = cum.findIndex((c) => c >= p * n);
    return n === 0 || i < 0 ? 0 : (after.le[i] as number);
  };
  const over25 = total - (commit[after.le.indexOf(25)] ?? total);
  const maxIndex = commit.findIndex((c) => c >= total);
  return {
    commits: total,
    commitP50LeMs: at(commit, 0.5),
    commitP99LeMs: at(commit, 0.99),
    commitMaxLeMs: total === 0 ? 0 : (after.le[maxIndex] as number),
    commitsOver25ms: over25,
    writeP99LeMs: at(write, 0.99),
  };
}
