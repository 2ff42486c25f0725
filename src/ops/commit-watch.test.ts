import { describe, expect, it } from 'vitest';
import type { CommitTiming, Store } from '../store/store.js';
import { SLOW_COMMIT_MS, observeCommit, watchCommits } from './commit-watch.js';
import { Metrics } from './metrics.js';

/** A store whose commits the test makes. */
function fakeStore(): { store: Store; commit: (t: CommitTiming) => void } {
  const listeners: ((t: CommitTiming) => void)[] = [];
  const store = { onCommit: (l: (t: CommitTiming) => void) => listeners.push(l) } as unknown as Store;
  return { store, commit: (t) => listeners.forEach((l) => l(t)) };
}

/** A bucket's count; 0 when the phase has no observation at all (the histogram then prints none). */
const count = async (m: Metrics, phase: string, le: string) =>
  Number(new RegExp(`tact_store_commit_duration_seconds_bucket\\{le="${le}",phase="${phase}"\\} (\\d+)`).exec(await m.registry.getSingleMetricAsString('tact_store_commit_duration_seconds'))?.[1] ?? 0);

describe('store commit watch', () => {
  it('puts each commit in the histogram by phase: statements and the durable commit apart', async () => {
    const m = new Metrics();
    const { store, commit } = fakeStore();
    watchCommits(store, m, () => {});
    commit({ writes: 2, writeMs: 0.3, commitMs: 0.8 });
    commit({ writes: 1, writeMs: 0.2, commitMs: 40 });
    expect(await count(m, 'write', '0.0005')).toBe(2);
    expect(await count(m, 'commit', '0.001')).toBe(1);
    expect(await count(m, 'commit', '0.05')).toBe(2);
  });

  it('leaves out a transaction that wrote nothing (the /health probe), however slow', async () => {
    const m = new Metrics();
    const lines: string[] = [];
    const { store, commit } = fakeStore();
    watchCommits(store, m, (_d, msg) => lines.push(msg));
    commit({ writes: 0, writeMs: 0.01, commitMs: 0.02 });
    commit({ writes: 0, writeMs: 0, commitMs: SLOW_COMMIT_MS + 1 });
    expect([await count(m, 'write', '2.5'), await count(m, 'commit', '2.5'), await count(m, 'commit', '1')]).toEqual([0, 0, 0]);
    expect(lines).toEqual([]);
    commit({ writes: 1, writeMs: 0.01, commitMs: 0.02 });
    expect(await count(m, 'commit', '2.5')).toBe(1);
  });

  it('writes the tally of slow commits when the minute is over, though no slow commit follows', () => {
    const lines: Record<string, unknown>[] = [];
    const timers: { fn: () => void; ms: number }[] = [];
    let now = 0;
    const w = { metrics: new Metrics(), warn: (data: Record<string, unknown>) => lines.push(data), now: () => now, slow: 0, worst: undefined, loggedAt: -Infinity, later: (fn: () => void, ms: number) => timers.push({ fn, ms }) };
    observeCommit(w, { writes: 1, writeMs: 0.1, commitMs: 900 });
    now = 10_000;
    observeCommit(w, { writes: 2, writeMs: 0.2, commitMs: 600 });
    observeCommit(w, { writes: 4, writeMs: 0.3, commitMs: 1_500 });
    // One flush, at the end of the minute the first line opened; before, these two waited for a third.
    expect(timers.map((t) => t.ms)).toEqual([50_000]);
    now = 60_000;
    timers[0].fn();
    expect(lines).toEqual([{ slowCommits: 1, worstCommitMs: 900, worstWriteMs: 0.1, writes: 1 }, { slowCommits: 2, worstCommitMs: 1500, worstWriteMs: 0.3, writes: 4 }]);
  });

  it('warns of slow commits at most once a minute, counting the ones in between and naming the slowest', () => {
    const lines: { data: Record<string, unknown>; msg: string }[] = [];
    let now = 0;
    const w = { metrics: new Metrics(), warn: (data: Record<string, unknown>, msg: string) => lines.push({ data, msg }), now: () => now, slow: 0, worst: undefined, loggedAt: -Infinity };
    observeCommit(w, { writes: 1, writeMs: 0.2, commitMs: SLOW_COMMIT_MS - 1 });
    expect(lines).toHaveLength(0);
    observeCommit(w, { writes: 3, writeMs: 0.4, commitMs: 812 });
    expect(lines).toHaveLength(1);
    expect(lines[0].msg).toBe('A store commit took 500 ms or more (the slowest 812 ms, after 0.4 ms of statements): the answers in them waited for the disk to make them durable');
    now = 30_000;
    observeCommit(w, { writes: 1, writeMs: 0.1, commitMs: 600 });
    observeCommit(w, { writes: 5, writeMs: 2, commitMs: 2_400 });
    expect(lines).toHaveLength(1);
    now = 61_000;
    observeCommit(w, { writes: 1, writeMs: 0.1, commitMs: 700 });
    expect(lines).toHaveLength(2);
    expect(lines[1].data).toEqual({ slowCommits: 3, worstCommitMs: 2400, worstWriteMs: 2, writes: 5 });
  });

  it('watches a store once: a second watch points it at the new metrics; stores that do not time commits are left alone', async () => {
    const { store, commit } = fakeStore();
    const first = new Metrics();
    const second = new Metrics();
    watchCommits(store, first, () => {});
    watchCommits(store, second, () => {});
    commit({ writes: 1, writeMs: 0.1, commitMs: 0.1 });
    expect(await count(first, 'commit', '2.5')).toBe(0);
    expect(await count(second, 'commit', '2.5')).toBe(1);
    expect(() => watchCommits({} as Store, first, () => {})).not.toThrow();
  });

  it.each(['sqlite', 'postgres'] as const)('the %s store reports its commits in /metrics', async (kind) => {
    const { harness, send } = await import('../../test/harness.js');
    const h = await harness(kind);
    await send(h.app, '/v1/track', { userId: 'u1', event: 'Signed Up' });
    const text = (await h.app.inject({ url: '/metrics' })).body;
    expect(text).toMatch(/tact_store_commit_duration_seconds_count\{phase="commit"\} [1-9]/);
    await h.close();
  });
});
