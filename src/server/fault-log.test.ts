import { describe, expect, it } from 'vitest';
import { errorForClient } from './errors.js';
import { FaultLog } from './fault-log.js';

/** A logger that keeps its lines, and a clock the test moves. */
function setup(opts: { full?: number; everyMs?: number; maxIds?: number; maxKinds?: number } = {}) {
  const lines: { obj: Record<string, unknown>; msg: string }[] = [];
  let t = Date.parse('2026-12-04T10:00:00Z');
  const faults = new FaultLog({ error: (obj, msg) => void lines.push({ obj: obj as Record<string, unknown>, msg }) }, { ...opts, now: () => t });
  const fail = (message: string, Kind: ErrorConstructor = Error) => errorForClient(new Kind(message), faults, { route: '/v1/decide/batch' }, 'internal_subject').id;
  return { lines, faults, fail, tick: (ms: number) => (t += ms) };
}

describe('the log of a stream\'s per-subject faults', () => {
  it('logs the first faults in full, then one summary with the count when the stream ends', () => {
    const { lines, faults, fail } = setup({ full: 3 });
    const ids = Array.from({ length: 1000 }, () => fail('connection terminated'));
    expect(lines).toHaveLength(3);
    expect(lines.map((l) => l.obj.errorId)).toEqual(ids.slice(0, 3));
    expect(lines[0]).toMatchObject({ msg: 'request failed', obj: { code: 'internal_subject', route: '/v1/decide/batch', err: { message: 'connection terminated' } } });
    faults.end();
    expect(lines).toHaveLength(4);
    expect(lines[3].obj).toMatchObject({ code: 'internal_subject', status: 500, route: '/v1/decide/batch', faults: 997, kinds: [{ type: 'Error', message: 'connection terminated', count: 997 }], errorIdsLeftOut: 897 });
    expect(lines[3].obj.errorIds).toEqual(ids.slice(3, 103));
    expect(lines[3].msg).toMatch(/997 more faults/);
    // Nothing left to sum up: no second summary.
    faults.end();
    expect(lines).toHaveLength(4);
  });

  it('sums up at most every `everyMs` while the faults go on, each summary counting the faults since the last', () => {
    const { lines, faults, fail, tick } = setup({ full: 2, everyMs: 10_000 });
    for (let k = 0; k < 50; k++) {
      fail('store unavailable');
      tick(1000); // one a second: a summary every ten
    }
    faults.end();
    const summaries = lines.slice(2).map((l) => l.obj.faults);
    expect(summaries.reduce((a, b) => (a as number) + (b as number), 0)).toBe(48);
    // The first summary once 10 s have passed since the stream began, then every 10 s, then the rest at the end.
    expect(summaries).toEqual([9, 10, 10, 10, 9]);
  });

  it('tells the faults apart by type and message, up to maxKinds, and counts the others together', () => {
    const { lines, faults, fail } = setup({ full: 0, maxKinds: 2 });
    fail('a');
    fail('a');
    fail('b', TypeError);
    fail('c');
    fail('d');
    faults.end();
    expect(lines).toHaveLength(1);
    expect(lines[0].obj.kinds).toEqual([
      { type: 'Error', message: 'a', count: 2 },
      { type: 'TypeError', message: 'b', count: 1 },
      { type: 'other', message: 'faults of other messages', count: 2 },
    ]);
  });

  it('logs in full a fault that comes after the stream ended (a decision still in flight)', () => {
    const { lines, faults, fail } = setup({ full: 1 });
    fail('x');
    fail('y');
    faults.end();
    const late = fail('z');
    expect(lines.map((l) => l.obj.errorId ?? l.obj.faults)).toEqual([expect.any(String), 1, late]);
  });
});
