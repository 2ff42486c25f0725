import { describe, expect, it } from 'vitest';
import { migrate, openDatabase } from './database.js';
import { FOLD_STEP, MAX_PAUSE_MS, PACED_STEP, SqliteDecisionCounts } from './decision-counts.js';
import type { SqliteWriter, WriteOp } from './writer.js';

/** A log of `n` decisions (only what a fold pass reads of it: the sequence numbers). */
function logOf(n: number) {
  const db = openDatabase(':memory:');
  migrate(db);
  const insert = db.prepare("INSERT INTO decisions (seq, id, profile_key, placement, at, body) VALUES (?, ?, 'p', 'home', ?, '{}')");
  for (let i = 1; i <= n; i++) insert.run(i, `d${i}`, i);
  return db;
}

/** A writer whose every transaction takes `ms` of a fake clock, and a clock that records the pauses asked of it. */
function fakes(stepMs: number) {
  let now = 0;
  const steps: [number, number][] = [];
  const pauses: number[] = [];
  const writer: SqliteWriter = {
    run: async (ops: WriteOp[]) => {
      const trials = ops.find((o) => o.sql.includes('INSERT INTO decision_counts') && o.sql.includes('decision_choices'));
      if (trials) steps.push(trials.rows[0] as [number, number]);
      now += stepMs;
    },
    reset: async () => {},
    onCommit: () => {},
    close: async () => {},
  };
  return { writer, steps, pauses, clock: { now: () => now, sleep: async (ms: number) => void pauses.push(ms) } };
}

describe('folding the decision counts while the server decides', () => {
  it('paced: small steps, each followed by a pause three times as long as it took, so the writer is never held for long', async () => {
    const f = fakes(8);
    const counts = new SqliteDecisionCounts(logOf(1_000), f.writer, f.clock);
    expect(await counts.fold(PACED_STEP, Infinity, 3)).toEqual({ decisions: 1_000, outcomes: 0 });
    expect(f.steps).toEqual([[0, 250], [250, 500], [500, 750], [750, 1_000]]);
    expect(f.pauses).toEqual([24, 24, 24, 24]);
  });

  it('a slow step pauses at most a second; unpaced (a shutdown, a test) it goes on at once', async () => {
    const slow = fakes(800);
    await new SqliteDecisionCounts(logOf(300), slow.writer, slow.clock).fold(PACED_STEP, Infinity, 3);
    expect(slow.pauses).toEqual([MAX_PAUSE_MS, MAX_PAUSE_MS]);
    const unpaced = fakes(8);
    await new SqliteDecisionCounts(logOf(2_500), unpaced.writer, unpaced.clock).fold();
    expect(unpaced.steps).toEqual([[0, FOLD_STEP], [FOLD_STEP, 2 * FOLD_STEP], [2 * FOLD_STEP, 2_500]]);
    expect(unpaced.pauses).toEqual([]);
  });
});

describe('migration decide-004: channel volumes in the snapshot', () => {
  it('fills the volumes of what the watermark already covers, so a store folded before it reads the same volumes as its log', () => {
    const db = openDatabase(':memory:');
    migrate(db);
    db.exec(`DROP TABLE decision_volumes; DELETE FROM schema_migrations WHERE id = 'decide-004'`);
    const decision = db.prepare("INSERT INTO decisions (seq, id, profile_key, placement, at, body) VALUES (?, ?, 'p', 'home', ?, '{}')");
    const choice = db.prepare("INSERT INTO decision_choices (decision_id, rank, kind, action, channel, placement, profile_key, at) VALUES (?, ?, ?, ?, ?, 'home', 'p', ?)");
    const m = 29_000_000;
    // Six decisions over three minutes, each an action choice and a "none"; the first four folded.
    [[m, 'web', 'a'], [m, 'web', 'a'], [m + 1, 'email', 'b'], [m + 1, 'web', 'a'], [m + 1, 'web', 'a'], [m + 2, 'web', 'c']].forEach(([minute, channel, action], i) => {
      const at = (minute as number) * 60_000 + i * 1_000;
      decision.run(i + 1, `d${i}`, at);
      choice.run(`d${i}`, 1, 'action', action, channel, at);
      choice.run(`d${i}`, 2, 'none', null, channel, at);
    });
    db.exec('UPDATE decision_count_marks SET decisions_seq = 4 WHERE id = 1');
    expect(migrate(db)).toEqual(["decide-004 channel volumes per minute in the counts' snapshot"]);
    expect(db.prepare('SELECT minute - ? AS minute, channel, action, n FROM decision_volumes ORDER BY 1, 2, 3').all(m)).toEqual([
      { minute: 0, channel: 'web', action: 'a', n: 2 }, { minute: 1, channel: 'email', action: 'b', n: 1 }, { minute: 1, channel: 'web', action: 'a', n: 1 },
    ]);
    const counts = new SqliteDecisionCounts(db, fakes(0).writer);
    const volumes = counts.volumes(m * 60_000, (m + 3) * 60_000).map((v) => [v.minute - m, v.channel, v.action, v.n]);
    expect(volumes.sort()).toEqual([[0, 'web', 'a', 2], [1, 'email', 'b', 1], [1, 'web', 'a', 2], [2, 'web', 'c', 1]]);
  });
});
