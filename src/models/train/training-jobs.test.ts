import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openTestStore, openTwoStores, type StoreKind } from '../../../test/harness.js';
import { testDir } from '../../../test/tmp.js';
import type { Store } from '../../store/store.js';
import type { TrainResult } from './trainer.js';
import { KEPT_TRAINING_MS, KEPT_TRAININGS, type RunTraining, type TrainingJob, TrainingJobs } from './training-jobs.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');
const busy = () => 'busy';
const trained: RunTraining = async (name) => [{ model: name, version: 1, seconds: 0 }];
const never: RunTraining = () => new Promise(() => {});
/** A training held until `release()`; `calls` counts the processes that ran it. */
function gated() {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const t: { calls: number; release: () => void; run: RunTraining } = { calls: 0, release: () => release(), run: async (name) => (t.calls++, await gate, [{ model: name, version: 1, seconds: 0 }]) };
  return t;
}
/** Polls `get` until the training's state is not `state` (10 s at most). */
async function until(jobs: TrainingJobs, model: string, id: string, leaves: TrainingJob['state']): Promise<TrainingJob | undefined> {
  for (const end = Date.now() + 10_000; Date.now() < end; await new Promise((r) => setTimeout(r, 25))) {
    const t = await jobs.get(model, id);
    if (t?.state !== leaves) return t;
  }
  throw new Error(`training ${model} ${id} still ${leaves} after 10 s`);
}

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});
async function oneStore(kind: StoreKind, path?: string): Promise<{ store: Store; url?: string }> {
  const opened = await openTestStore(kind, path);
  cleanups.push(opened.cleanup);
  return opened;
}

describe.each(['sqlite', 'postgres'] as const)('trainings on demand kept in the store (%s)', (kind) => {
  it(`keeps the last ${KEPT_TRAININGS} trainings over, and none past an hour; one not over is never forgotten, and numbers are never reused`, async () => {
    const { store } = await oneStore(kind);
    let now = 1_000_000;
    // Alive for two hours: the clock below jumps an hour without the renewals a real hour would see.
    const jobs = new TrainingJobs(store.documents, { now: () => now, aliveMs: 2 * KEPT_TRAINING_MS });
    // Never over, in another process (`settled` here would wait for it).
    const running = await new TrainingJobs(store.documents, { now: () => now, aliveMs: 2 * KEPT_TRAINING_MS }).start('rates', never, busy);
    const ids: string[] = [];
    for (let i = 0; i < KEPT_TRAININGS + 2; i++) {
      now += 1000;
      ids.push((await jobs.start('send-time', trained, busy)).id);
      await jobs.settled(); // over, so that the next one is a new training
    }
    expect(ids.slice(0, 3)).toEqual(['1', '2', '3']);
    // 52 over: the first 2 are forgotten, the 50 after them kept (KEPT_TRAININGS = 50).
    const kept = async () => (await Promise.all(ids.map((id) => jobs.get('send-time', id)))).filter(Boolean).length;
    expect(await kept()).toBe(KEPT_TRAININGS);
    expect(await jobs.get('send-time', ids[0])).toBeUndefined();
    expect(await jobs.get('send-time', ids[2])).toMatchObject({ state: 'done', results: [{ version: 1 }] });
    now += KEPT_TRAINING_MS + 1;
    expect(await kept()).toBe(0);
    expect((await jobs.get('rates', running.id))?.state).toBe('running');
    // Forgotten, the rows go once the next training is over; the next one takes the next number.
    const next = await jobs.start('send-time', trained, busy);
    await jobs.settled();
    expect(next.id).toBe(String(KEPT_TRAININGS + 3));
    expect((await store.documents.listJobs('training-on-demand')).map((j) => j.id).sort()).toEqual([`training-on-demand:rates:1`, `training-on-demand:send-time:${next.id}`]);
  });

  it('answers an id it does not know, of another model, or not a number, with nothing', async () => {
    const { store } = await oneStore(kind);
    const jobs = new TrainingJobs(store.documents);
    const job = await jobs.start('send-time', trained, busy);
    await jobs.settled();
    expect(await jobs.get('send-time', job.id)).toMatchObject({ state: 'done' });
    for (const [model, id] of [['rates', job.id], ['send-time', '2'], ['send-time', '0b7c1f0e-0000-4000-8000-000000000000'], ['send-time', '01'], ['send-time', '1:x']]) {
      expect(await jobs.get(model, id), `${model} ${id}`).toBeUndefined();
    }
  });

  it('records `failed` with the error, and `busy` with the sentence, each with when it was over', async () => {
    const { store } = await oneStore(kind);
    const jobs = new TrainingJobs(store.documents);
    const failed = await jobs.start('send-time', async () => { throw new Error('the events table could not be read'); }, busy);
    await jobs.settled();
    expect(await jobs.get('send-time', failed.id)).toMatchObject({ state: 'failed', error: 'the events table could not be read', finishedAt: expect.any(Number) });
    const gaveUp = await jobs.start('send-time', async (name, o) => (o.onBusy?.('send-time is being trained by process 1 on web-2'), [{ model: name, skipped: 'held', busy: true, seconds: 1 }] as TrainResult[]), (r) => `${r.skipped}: nothing was trained`);
    await jobs.settled();
    expect(await jobs.get('send-time', gaveUp.id)).toEqual({ id: '2', model: 'send-time', state: 'busy', error: 'held: nothing was trained', startedAt: expect.any(Number), finishedAt: expect.any(Number) });
  });
});

describe.each(['sqlite', 'postgres'] as const)('trainings on demand shared by two processes (%s)', (kind) => {
  async function twoProcesses(): Promise<[TrainingJobs, TrainingJobs]> {
    const two = await openTwoStores(kind);
    const jobs = two.stores.map((s) => new TrainingJobs(s.documents)) as [TrainingJobs, TrainingJobs];
    cleanups.push(two.cleanup, async () => { await jobs[0].settled(); await jobs[1].settled(); });
    return jobs;
  }

  it('another process answers the training, and asked to train the model answers the same one until it is over', async () => {
    const [a, b] = await twoProcesses();
    const t = gated();
    const job = await a.start('send-time', t.run, busy);
    expect(await b.get('send-time', job.id)).toMatchObject({ id: job.id, state: 'running' });
    expect((await b.start('send-time', t.run, busy)).id).toBe(job.id);
    t.release();
    expect(await until(b, 'send-time', job.id, 'running')).toMatchObject({ state: 'done', results: [{ version: 1 }] });
    expect(t.calls).toBe(1);
    // Over: asked again, a new training.
    expect((await b.start('send-time', trained, busy)).id).toBe('2');
  });

  it('a process that stalled past its alive span writes only its own training: the newer one another process started stands', async () => {
    const two = await openTwoStores(kind);
    let now = 1_800_000_000_000;
    const [a, b] = two.stores.map((s) => new TrainingJobs(s.documents, { now: () => now })) as [TrainingJobs, TrainingJobs];
    cleanups.push(two.cleanup, async () => { await a.settled(); await b.settled(); });
    const t = gated();
    const first = await a.start('send-time', t.run, busy);
    // A stalls (nothing heard from it for longer than it said it lives): its training reads `failed`, and B starts the next.
    now += 6 * 60_000;
    expect(await b.get('send-time', first.id)).toMatchObject({ state: 'failed' });
    const next = await b.start('send-time', trained, busy);
    expect(next.id).toBe('2');
    await b.settled();
    // A wakes and ends its training: its own row says so, B's stays as B wrote it.
    t.release();
    await a.settled();
    expect(await b.get('send-time', first.id)).toMatchObject({ state: 'done', results: [{ version: 1 }] });
    expect(await a.get('send-time', next.id)).toMatchObject({ id: '2', state: 'done', results: [{ version: 1 }] });
    expect((await a.start('send-time', trained, busy)).id).toBe('3');
  });

  it('of two processes asked at once, one starts the training and both answer it', async () => {
    const [a, b] = await twoProcesses();
    const t = gated();
    const answers = await Promise.all([a.start('send-time', t.run, busy), b.start('send-time', t.run, busy), a.start('send-time', t.run, busy), b.start('send-time', t.run, busy)]);
    expect(new Set(answers.map((j) => j.id))).toEqual(new Set(['1']));
    t.release();
    await Promise.all([a.settled(), b.settled()]);
    expect(t.calls).toBe(1);
  });

  it('shows whom a training waits for to another process', async () => {
    const [a, b] = await twoProcesses();
    let taken!: () => void;
    const job = await a.start('send-time', async (name, o) => {
      o.onBusy?.('send-time is being trained by process 1 on web-2 (for schedule) since 2026-01-05T02:00:00.000Z');
      await new Promise<void>((r) => (taken = r));
      o.onTaken?.(name);
      return [{ model: name, version: 1, seconds: 0 }];
    }, busy);
    expect(await until(b, 'send-time', job.id, 'running')).toMatchObject({ state: 'waiting', waitingFor: 'send-time is being trained by process 1 on web-2 (for schedule) since 2026-01-05T02:00:00.000Z' });
    taken();
    expect(await until(b, 'send-time', job.id, 'waiting')).toMatchObject({ state: expect.stringMatching(/^(running|done)$/) });
  });
});

/** A process that starts a training of send-time that never ends, prints it, and lives on until killed. */
function trainingProcess(kind: StoreKind, where: string, aliveMs: number) {
  const src = (p: string) => JSON.stringify(join(ROOT, 'src', p));
  const open = kind === 'sqlite'
    ? `(await import(${src('store/sqlite/sqlite-store.ts')})).openSqliteStore({ path: ${JSON.stringify(where)} })`
    : `(await import(${src('store/postgres/postgres-store.ts')})).openPostgresStore({ connectionString: ${JSON.stringify(where)}, poolSize: 2 })`;
  // Not an ES module: the store's eval workers would be read as one too.
  const code = `(async () => {
    const { TrainingJobs } = await import(${src('models/train/training-jobs.ts')});
    const store = await ${open};
    const job = await new TrainingJobs(store.documents, { aliveMs: ${aliveMs} }).start('send-time', () => new Promise(() => {}), () => 'busy');
    process.stdout.write(JSON.stringify(job) + '\\n');
    setInterval(() => {}, 1 << 30);
  })().catch((err) => { console.error(err); process.exit(1); });`;
  const proc = spawn(process.execPath, ['--import', 'tsx', '-e', code], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stderr.on('data', (d) => (err += String(d)));
  const started = new Promise<TrainingJob>((resolve, reject) => {
    proc.stdout.on('data', (d) => {
      out += String(d);
      if (out.includes('\n')) resolve(JSON.parse(out) as TrainingJob);
    });
    proc.on('exit', (code) => reject(new Error(`the training process ended (${code}) before starting: ${err}`)));
  });
  const exited = new Promise<void>((r) => proc.on('exit', () => r()));
  cleanups.push(async () => void (proc.exitCode === null && proc.signalCode === null && (proc.kill('SIGKILL'), await exited)));
  return { proc, started, exited };
}

describe.each(['sqlite', 'postgres'] as const)('a training whose process was killed (%s)', (kind) => {
  it('stays `running` while its process lives, is `failed` saying the process stopped once it no longer says it lives, and frees the model', async () => {
    const path = kind === 'sqlite' ? join(testDir('tact-killed-'), 'tact.db') : undefined;
    const { store, url } = await oneStore(kind, path);
    const aliveMs = 1500;
    const child = trainingProcess(kind, path ?? url!, aliveMs);
    const job = await child.started;
    const here = new TrainingJobs(store.documents);
    // Past its first `aliveMs`: the process renewed it (every third of it), so it still runs.
    await new Promise((r) => setTimeout(r, aliveMs + 500));
    expect(await here.get('send-time', job.id)).toMatchObject({ state: 'running' });
    // Asked here meanwhile: the training of the other process answers.
    expect((await here.start('send-time', trained, busy)).id).toBe(job.id);
    child.proc.kill('SIGKILL');
    await child.exited;
    const over = await until(here, 'send-time', job.id, 'running');
    expect(over).toEqual({
      id: job.id, model: 'send-time', state: 'failed', startedAt: job.startedAt, finishedAt: expect.any(Number),
      error: expect.stringMatching(new RegExp(`^The process running this training \\(process ${child.proc.pid} on .+\\) stopped before it was over: nothing was heard from it since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\. Ask again to train send-time\\.$`)),
    });
    // The model is free: asked again, a new training starts here.
    const next = await here.start('send-time', trained, busy);
    expect(next.id).toBe(String(Number(job.id) + 1));
    await here.settled();
    expect(await here.get('send-time', next.id)).toMatchObject({ state: 'done' });
  });
});
