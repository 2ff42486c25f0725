import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { DecideState } from '../src/decide/decide-state.js';
import { ACTIONS, LOG_VOLUMES_SQL, OFFERED, type Reference, START, SUBJECTS, type Target, type VolumeLike, gapFor, postgresTarget, sameVolumes } from './decide-start-pg.js';
import { rng } from './events.js';

const DAY = 86_400_000;

/**
 * What a start of the decision state pays for the estimates' counts (the embedded store, or PostgreSQL with `--postgres`)
 * (docs/adr/0005-decision-counts-snapshot.md). A log of N decisions (10,000 subjects, each offered
 * 10 of 100 actions again and again — 100,000 counts at most, as a log grows far beyond its counts;
 * one action choice and a "none" a decision, half with a segment, one in ten with a successful outcome)
 * is written straight into a store's tables; then it times the three count reads a start makes
 * (trials and successes per action and subject, per action and group) over the whole log — what a
 * start did before the snapshot, the figure to compare with — folds the log into the snapshot
 * (timing the pass and the longest hold of the event loop), logs a tail of N/10 decisions more
 * (what a fold every five minutes leaves at 1,000/s is 300,000) and times the reads again: the
 * snapshot and the tail. The ratio is the second read over the first; the counts must be equal.
 * The log is spread over a week (the contact window), and the bench then times a start's whole
 * rebuild twice — every contact of the window read, and only the last minutes' with each subject's
 * older ones read at its first decision (docs/adr/0006-lazy-contact-ledger.md) — and that first read.
 *
 * @example
 * await decideStartBench(['--quick']); // { bench: 'decide-start', whole_log_ms: …, snapshot_ms: …, ratio: … }
 */
export async function decideStartBench(args: string[]): Promise<Record<string, unknown>> {
  const n = args.includes('--quick') ? 300_000 : 3_000_000;
  const step = wholeOption(args, '--step', 'N', 'decisions');
  const kind = args.includes('--postgres') ? 'postgres' : 'sqlite';
  const tail = n / 10;
  // The log spread over a week (the contact window), as a server deciding at (n + tail) / 604,800 a second would have logged it.
  // `--gap MS` packs it denser instead (1: a server deciding 1,000 a second), as a budget's window sees it.
  const gap = wholeOption(args, '--gap', 'MS', 'milliseconds between decisions') ?? gapFor(n + tail);
  const now = START + (n + tail) * gap + 1_000;
  const target = kind === 'postgres' ? await postgresTarget(gap) : await sqliteTarget(gap);
  try {
    process.stdout.write(`decide-start (${kind}): a log of ${n.toLocaleString()} decisions over ${SUBJECTS.toLocaleString()} subjects and ${ACTIONS} actions…\n`);
    await target.fill(0, n);
    let store = await target.open();
    const read = async () => {
      const t = performance.now();
      const [trials, successes, groups] = [await store.decisions.trialCounts(), await store.decisions.successCounts(), await store.decisions.groupCounts()];
      return { ms: performance.now() - t, trials, successes, groups };
    };
    const whole = await read();
    process.stdout.write(`  whole log: ${whole.ms.toFixed(0)} ms to count (${whole.trials.length.toLocaleString()} subject-action trials, ${whole.groups.length} groups)\n`);
    const loop = monitorEventLoopDelay({ resolution: 1 });
    // A fold step is one transaction (of the writer thread, on the embedded store): decision appends arriving meanwhile wait for it.
    const steps: number[] = [];
    store.onCommit?.((c) => steps.push(c.writeMs + c.commitMs));
    loop.enable();
    let t = performance.now();
    const moved = await store.decisions.foldCounts(step);
    const foldMs = performance.now() - t;
    loop.disable();
    const holdMs = loop.max / 1e6;
    steps.sort((a, b) => a - b);
    const writerMs = steps[steps.length - 1] ?? 0;
    const writerP50 = steps[Math.floor(steps.length / 2)] ?? 0;
    const writerP99 = steps[Math.floor(steps.length * 0.99)] ?? 0;
    process.stdout.write(`  fold of the whole log: ${(foldMs / 1000).toFixed(1)} s (${moved.decisions.toLocaleString()} decisions, ${moved.outcomes.toLocaleString()} outcomes), the event loop held ${holdMs.toFixed(0)} ms at most, a step's transaction ${writerP50.toFixed(1)} ms at the median, ${writerP99.toFixed(1)} at p99, ${writerMs.toFixed(0)} at most (${steps.length.toLocaleString()} transactions)\n`);
    await store.close();
    await target.fill(n, n + tail);
    store = await target.open();
    const snap = await read();
    const reference = await target.countAll();
    const same = equalCounts(snap, reference);
    process.stdout.write(`  snapshot and a tail of ${tail.toLocaleString()} decisions: ${snap.ms.toFixed(0)} ms to count (the whole log of ${(n + tail).toLocaleString()} aggregated directly: ${reference.ms.toFixed(0)} ms); the same counts: ${same}\n`);
    // A global budget's volumes at start: a week's (the whole log) from the snapshot's minutes and the
    // tail, against the same aggregated straight from the log's choices.
    const volumesFrom = START;
    const v0 = performance.now();
    const volumes = await store.decisions.contactVolumes(volumesFrom, now);
    const volumesMs = performance.now() - v0;
    const logVolumes = await target.volumesAll(volumesFrom, now);
    const sameVols = sameVolumes(volumes, logVolumes.rows);
    const choices = volumes.reduce((s, v) => s + Number(v.n), 0);
    process.stdout.write(`  a week's budget volumes (${choices.toLocaleString()} action choices, ${volumes.length.toLocaleString()} minute rows): ${volumesMs.toFixed(0)} ms from the snapshot and the tail, ${logVolumes.ms.toFixed(0)} ms aggregated from the log (ratio ${(volumesMs / logVolumes.ms).toFixed(3)}); the same volumes: ${sameVols}\n`);
    // The whole rebuild a start makes: the counts, and the contacts of a 7-day window — every one of
    // them read (as before ADR 0006), then only the last five minutes' with the older ones read per
    // subject at its first decision (timed for 1,000 subjects).
    const rebuild = async (eager: boolean) => {
      const state = new DecideState(30 * DAY, false, 7 * DAY);
      // A cap of three marketing contacts a day on the web, and a global budget of a day (its volumes counted at start).
      state.setLookback(30 * DAY, 7 * DAY, now, DAY);
      state.setRetention([{ channel: 'web', topic: 'marketing', max: 3, windowMs: DAY }]);
      const t0 = performance.now();
      await state.rebuild(store.decisions, () => ['marketing'], now, { eager });
      return { state, ms: performance.now() - t0 };
    };
    const eager = await rebuild(true);
    // Its background read of the open choices is not what this one measures (below, the lazy start's).
    eager.state.stop();
    await eager.state.openRead;
    process.stdout.write(`  a start's whole rebuild, every contact of the window read: ${(eager.ms / 1000).toFixed(1)} s (${eager.state.ledger.contactCount.toLocaleString()} kept)\n`);
    const lazy = await rebuild(false);
    // After the start, in the background: the choices inside their attribution windows (ADR 0007),
    // an hour at a time — how long, and the longest the event loop waited for one hour's reads.
    const openLoop = monitorEventLoopDelay({ resolution: 1 });
    openLoop.enable();
    const openRead = await lazy.state.openRead;
    openLoop.disable();
    if (openRead.error) throw openRead.error;
    const openCount = Array.from({ length: ACTIONS }, (_, i) => lazy.state.counts.openTrials(`offer-${i}`, null, now, 7 * DAY)).reduce((sum, k) => sum + k, 0);
    const openHoldMs = openLoop.max / 1e6;
    // And the successes of those hours' choices (every other hour's past 200,000 choices), for how long conversions take (OutcomeDelays).
    const delays = Array.from({ length: ACTIONS }, (_, i) => lazy.state.counts.delays.held(`offer-${i}`).length).reduce((sum, k) => sum + k, 0);
    const curve = lazy.state.counts.delays.curve('offer-0', 7 * DAY, now, lazy.state.counts.open) !== undefined;
    process.stdout.write(`  then, in the background, the choices inside a 7-day attribution window: ${(openRead.ms / 1000).toFixed(1)} s for ${openCount.toLocaleString()} (every action choice of the week: ${choices.toLocaleString()}) and the successes of their hours (${delays.toLocaleString()} read; a delay curve: ${curve ? 'yes' : 'no'}), the event loop held ${openHoldMs.toFixed(0)} ms at most\n`);
    if (openCount !== choices) throw new Error('the open choices read at start are not the week’s action choices');
    const firsts: number[] = [];
    const pick = rng(11);
    for (let i = 0; i < 1_000; i++) {
      const t0 = performance.now();
      await lazy.state.ensureLoaded(store.decisions, [`p${Math.floor(pick() * SUBJECTS)}`], () => ['marketing'], now);
      firsts.push(performance.now() - t0);
    }
    firsts.sort((a, b) => a - b);
    const firstP50 = firsts[500];
    const firstP99 = firsts[990];
    const rebuildMs = lazy.ms;
    process.stdout.write(`  the same with the older contacts read per subject at its first decision: ${(lazy.ms / 1000).toFixed(1)} s (ratio ${(lazy.ms / eager.ms).toFixed(3)}); a first decision's read ${firstP50.toFixed(2)} ms at the median, ${firstP99.toFixed(2)} at p99 (${(lazy.state.lazyReads.contacts / Math.max(1, lazy.state.lazyReads.subjects)).toFixed(0)} contacts a subject)\n`);
    t = performance.now();
    const moved2 = await store.decisions.foldCounts(step);
    const tailFoldMs = performance.now() - t;
    await store.close();
    const ratio = snap.ms / reference.ms;
    process.stdout.write(`  fold of the tail: ${tailFoldMs.toFixed(0)} ms (${moved2.decisions.toLocaleString()} decisions); ratio (snapshot start / whole-log start): ${ratio.toFixed(3)}\n`);
    if (!same) throw new Error('the counts from the snapshot and the tail differ from the whole log’s');
    if (!sameVols) throw new Error('the budget volumes from the snapshot and the tail differ from the log’s');
    return {
      bench: 'decide-start', store: kind, decisions: n + tail, whole_log_ms: Math.round(reference.ms), snapshot_ms: Math.round(snap.ms), ratio: Number(ratio.toFixed(3)),
      first_read_ms: Math.round(whole.ms), fold_s: Number((foldMs / 1000).toFixed(1)), fold_loop_hold_ms: Math.round(holdMs),
      fold_step_p50_ms: Number(writerP50.toFixed(1)), fold_step_p99_ms: Number(writerP99.toFixed(1)), fold_step_max_ms: Math.round(writerMs), tail_fold_ms: Math.round(tailFoldMs), rebuild_s: Number((rebuildMs / 1000).toFixed(1)), rebuild_eager_s: Number((eager.ms / 1000).toFixed(1)),
      rebuild_ratio: Number((lazy.ms / eager.ms).toFixed(3)), first_read_p50_ms: Number(firstP50.toFixed(2)), first_read_p99_ms: Number(firstP99.toFixed(2)), same_counts: same,
      open_read_s: Number((openRead.ms / 1000).toFixed(1)), open_read_loop_hold_ms: Math.round(openHoldMs), delays_read: delays, delay_curve: curve,
      volumes_ms: Math.round(volumesMs), volumes_log_ms: Math.round(logVolumes.ms), volumes_ratio: Number((volumesMs / logVolumes.ms).toFixed(3)), same_volumes: sameVols,
    };
  } finally {
    await target.cleanup();
  }
}

/**
 * The value of `option` (a whole number, at least 1), undefined when the option is absent; a
 * missing or other value is refused before anything is written (`--gap` without one wrote decisions
 * with no time: NOT NULL constraint failed).
 *
 * @example
 * wholeOption(['--gap', '1'], '--gap', 'MS', 'milliseconds between decisions'); // 1
 */
export function wholeOption(args: string[], option: string, placeholder: string, unit: string): number | undefined {
  const at = args.indexOf(option);
  if (at < 0) return undefined;
  const value = args[at + 1];
  const n = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isInteger(n) || n < 1) {
    throw new Error(`${option} takes a whole number of ${unit}, at least 1 (${option} ${placeholder})${value === undefined ? ', and none was given' : `, not "${value}"`}.`);
  }
  return n;
}

async function sqliteTarget(gap: number): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'tact-bench-start-'));
  const path = join(dir, 'tact.db');
  await (await openSqliteStore({ path })).close(); // the schema
  const fill = fillLog(path, rng(5), gap);
  return {
    fill: async (from, to) => fill(from, to),
    open: () => openSqliteStore({ path, owner: {} }), // a start of the server
    countAll: async () => countAll(path),
    volumesAll: async (from, to) => {
      const db = new Database(path, { readonly: true });
      const t = performance.now();
      const rows = db.prepare(LOG_VOLUMES_SQL(['?', '?'])).all(from, to) as VolumeLike[];
      const ms = performance.now() - t;
      db.close();
      return { ms, rows };
    },
    cleanup: async () => {
      if (process.env.TACT_BENCH_KEEP === '1') process.stdout.write(`  kept: ${path}\n`);
      else rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes decisions `from`..`to` (and their outcomes) straight into the tables, 50,000 a transaction. */
function fillLog(path: string, r: () => number, gap: number): (from: number, to: number) => void {
  return (from, to) => {
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    const d = db.prepare('INSERT INTO decisions (id, profile_key, placement, at, body, segment, micro_segment, micro_segment_model) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    const c = db.prepare('INSERT INTO decision_choices (decision_id, rank, kind, action, channel, placement, profile_key, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    const o = db.prepare('INSERT INTO decision_outcomes (id, decision_id, profile_key, action, type, value, credit, reward, success, source, at) VALUES (?, ?, ?, ?, ?, NULL, 1, 1, 1, ?, ?)');
    const write = db.transaction((a: number, b: number) => {
      for (let i = a; i < b; i++) {
        const id = `d${i}`;
        const subject = Math.floor(r() * SUBJECTS);
        const key = `p${subject}`;
        const action = `offer-${(subject * 7 + Math.floor(r() * OFFERED)) % ACTIONS}`;
        const grouped = i % 2 === 0;
        d.run(id, key, 'home', START + i * gap, '{}', grouped ? `seg-${i % 7}` : null, grouped ? i % 5 : null, grouped ? 'micro-segments@1' : null);
        c.run(id, 1, 'action', action, 'web', 'home', key, START + i * gap);
        c.run(id, 2, 'none', null, 'web', 'home', key, START + i * gap);
        if (i % 10 === 0) o.run(`o${i}`, id, key, action, 'click', 'api', START + i * gap + 1);
      }
    });
    for (let a = from; a < to; a += 50_000) write(a, Math.min(to, a + 50_000));
    db.close();
  };
}

/** The counts aggregated straight from the whole log (the queries a start ran before the snapshot). */
function countAll(path: string): Reference {
  const db = new Database(path, { readonly: true });
  const t = performance.now();
  const trials = db.prepare(`SELECT action, profile_key AS profileKey, count(*) AS n FROM decision_choices WHERE kind = 'action' GROUP BY 1, 2`).all();
  const successes = db.prepare('SELECT action, profile_key AS profileKey, count(*) AS n FROM decision_outcomes WHERE success = 1 GROUP BY 1, 2').all();
  const groups = db.prepare(`SELECT c.action, d.segment, d.micro_segment, count(*) AS n FROM decision_choices c JOIN decisions d ON d.id = c.decision_id WHERE c.kind = 'action' AND (d.segment IS NOT NULL OR d.micro_segment IS NOT NULL) GROUP BY 1, 2, 3`).all();
  const ms = performance.now() - t;
  db.close();
  return { ms, trials, successes, groups };
}

type Row = { action: string; profileKey: string; n: number | string };
function equalCounts(a: { trials: Row[]; successes: Row[]; groups: { trials: number }[] }, b: Reference): boolean {
  const key = (rows: Row[]) => rows.map((x) => `${x.action}|${x.profileKey}|${Number(x.n)}`).sort().join('\n');
  const groupTrials = (rows: { trials: number }[]) => rows.reduce((s, g) => s + Number(g.trials), 0);
  const refGroupTrials = (b.groups as { n: number | string }[]).reduce((s, g) => s + Number(g.n), 0);
  return key(a.trials) === key(b.trials as Row[]) && key(a.successes) === key(b.successes as Row[]) && a.groups.length === b.groups.length && groupTrials(a.groups) === refGroupTrials;
}
