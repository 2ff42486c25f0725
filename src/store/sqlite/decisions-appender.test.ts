import { describe, expect, it } from 'vitest';
import { GroupAppender } from './decisions-appender.js';
import type { SqliteWriter, WriteOp } from './writer.js';

/** A writer whose commits finish when the test says so. */
function fakeWriter() {
  const runs: { ops: WriteOp[]; done: (err?: Error) => void }[] = [];
  const writer: SqliteWriter = {
    run: (ops) => new Promise<void>((resolve, reject) => runs.push({ ops, done: (err) => (err ? reject(err) : resolve()) })),
    reset: async () => {},
    onCommit: () => {},
    close: async () => {},
  };
  return { writer, runs };
}

describe('group commit of the decision log', () => {
  it('carries every append that arrived while commits were in flight in one next commit, and resolves each when durable', async () => {
    const { writer, runs } = fakeWriter();
    const log = new GroupAppender(writer, ['INSERT decision', 'INSERT choice']);
    const settled: number[] = [];
    const appends = Array.from({ length: 10 }, (_, i) => log.append([[[`d${i}`]], [[`d${i}`, 1], [`d${i}`, 2]]]).then(() => settled.push(i)));
    expect(runs.map((r) => r.ops[0].rows.length)).toEqual([1, 1]); // two in flight, eight waiting
    runs[0].done();
    await new Promise((r) => setImmediate(r));
    expect(settled).toEqual([0]);
    expect(runs.map((r) => r.ops[0].rows.length)).toEqual([1, 1, 8]);
    expect(runs[2].ops[1].rows).toHaveLength(16);
    runs[1].done();
    runs[2].done();
    await Promise.all(appends);
    expect(settled.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('fails every append of a commit that failed, and goes on with the next', async () => {
    const { writer, runs } = fakeWriter();
    const log = new GroupAppender(writer, ['INSERT decision']);
    const a = log.append([[['a']]]);
    runs[0].done(new Error('disk full'));
    await expect(a).rejects.toThrow('disk full');
    const b = log.append([[['b']]]);
    runs[1].done();
    await expect(b).resolves.toBeUndefined();
  });
});
