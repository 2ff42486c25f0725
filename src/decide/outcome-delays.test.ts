import { describe, expect, it } from 'vitest';
import { DELAYS_NEEDED, OutcomeDelays } from './outcome-delays.js';
import { HOUR_MS, OpenTrials } from './open-trials.js';

/**
 * The delay curve F of ADR 0007 (docs/adr/0007-open-attribution-windows.md): the life-table share
 * of an action's successes a choice of each hour has had.
 *
 * Read at the middle of an hour, a choice made k ≥ 1 hours before it is between k − ½ and k + ½
 * hours old (uniform), and one of the current hour between 0 and ½. References for the share of the
 * successes of hour of delay 1 (spread evenly over it) such a choice has had:
 *   python3 -c "from scipy.stats import uniform; from scipy.integrate import quad; print([quad(lambda d: uniform(loc=k-0.5, scale=1).sf(d), 1, 2)[0] for k in (1, 2, 3)])"
 *   [0.125, 0.875, 1.0]   (scipy 1.17.1)
 * and of hour of delay 0 for a choice of the current hour:
 *   python3 -c "from scipy.stats import uniform; from scipy.integrate import quad; print(quad(lambda d: uniform(loc=0, scale=0.5).sf(d), 0, 1)[0])"
 *   0.25
 */
const DAY = 86_400_000;
const WEEK = 7 * DAY;
const H0 = 500_000; // an hour number (2027): hours are counted from the epoch

/** The middle of hour `h`. */
const at = (h: number) => (h + 0.5) * HOUR_MS;

/** `perHour` choices of `action` in every hour from `from` to before `to`. */
function stream(open: OpenTrials, action: string, from: number, to: number, perHour: number): void {
  for (let h = from; h < to; h++) open.add(action, '', h * HOUR_MS + HOUR_MS / 2, perHour);
}

describe('the delay from a choice to its success', () => {
  it('gives each hour of decision the share of the successes its choices have had, by their ages', () => {
    const open = new OpenTrials();
    const d = new OutcomeDelays();
    const window = 6 * HOUR_MS;
    // A steady stream long past the window; every success comes in the second hour after its choice.
    stream(open, 'a', H0, H0 + 20, 100);
    for (let h = H0; h < H0 + 18; h++) for (let i = 0; i < 10; i++) d.add('a', h * HOUR_MS + HOUR_MS / 2, 1.5 * HOUR_MS);
    const f = d.curve('a', window, at(H0 + 20), open) as Float64Array;
    expect(f).toBeDefined();
    expect(f[0]).toBe(0);
    expect(f[1]).toBeCloseTo(0.125, 12);
    expect(f[2]).toBeCloseTo(0.875, 12);
    expect([...f.slice(3)]).toEqual([1, 1, 1, 1]);

    // Every success within an hour: the current hour's choices have had a quarter of them (at half past).
    const quick = new OutcomeDelays();
    for (let h = H0; h < H0 + 18; h++) for (let i = 0; i < 10; i++) quick.add('a', h * HOUR_MS + HOUR_MS / 2, 10 * 60_000);
    expect(quick.curve('a', window, at(H0 + 20), open)?.[0]).toBeCloseTo(0.25, 12);
  });

  it('with `defer`, makes a new hour\'s tables and a new twentieth\'s curves a few at a time, the ones made before serving meanwhile, and ends where making them at once does', () => {
    const open = new OpenTrials();
    const eager = new OutcomeDelays();
    const stepped = new OutcomeDelays();
    const queue: (() => void)[] = [];
    stepped.defer = (step) => void queue.push(step);
    // 40 actions, each with its own delays (2–9 h), over a day of steady choices.
    const actions = Array.from({ length: 40 }, (_, j) => `a${j}`);
    for (const [j, a] of actions.entries()) {
      stream(open, a, H0, H0 + 30, 20);
      for (let h = H0; h < H0 + 28; h++) for (const d of [eager, stepped]) d.add(a, at(h), (2 + (j % 8)) * HOUR_MS);
    }
    const window = 12 * HOUR_MS;
    // The first curve is made at once (there is none to serve meanwhile), and its hour's tables with it.
    const first = actions.map((a) => stepped.curve(a, window, at(H0 + 29), open));
    expect(first.every((f) => f instanceof Float64Array)).toBe(true);
    expect(queue).toHaveLength(0);
    // Successes of the last hours keep coming; the hour turns.
    for (const a of actions) for (const d of [eager, stepped]) d.add(a, at(H0 + 28), HOUR_MS);
    const later = at(H0 + 30) + 10 * 60_000;
    const served = actions.map((a) => stepped.curve(a, window, later, open));
    // Meanwhile every estimate reads the curves made before, and nothing was made inside the call.
    expect(served.every((f, j) => f === first[j])).toBe(true);
    // An action estimated for the first time meanwhile gets its curve at once, from the last hour's
    // tables, and the pass makes it again from this hour's.
    stream(open, 'z', H0, H0 + 30, 20);
    for (const d of [eager, stepped]) for (let h = H0; h < H0 + 28; h++) d.add('z', at(h), 5 * HOUR_MS);
    expect(stepped.curve('z', window, later, open)).toBeInstanceOf(Float64Array);
    // The steps: the tables in four (ten actions each), then the curves in two (twenty each).
    let steps = 0;
    while (queue.length) {
      (queue.shift() as () => void)();
      steps++;
    }
    expect(steps).toBeGreaterThanOrEqual(4 + 2);
    for (const a of [...actions, 'z']) expect(stepped.curve(a, window, later, open)).toEqual(eager.curve(a, window, later, open));
    // Forgotten while a new hour's tables are being made (a start's read ended, with more successes
    // of the first ten actions): the tables made from before are not kept, those from now are.
    const next = at(H0 + 31);
    stepped.curve('a0', window, next, open);
    (queue.shift() as () => void)(); // the pass, which starts the tables
    (queue.shift() as () => void)(); // the tables' first step: a0–a9, read before the successes below
    for (const a of actions.slice(0, 10)) for (const d of [eager, stepped]) for (let i = 0; i < 20; i++) d.add(a, at(H0 + 20), HOUR_MS / 2);
    stepped.forget();
    eager.forget();
    while (queue.length) (queue.shift() as () => void)();
    for (const a of ['a0', 'a5', 'a20']) expect(stepped.curve(a, window, next, open)).toEqual(eager.curve(a, window, next, open));
  });

  it('has no curve until the choices are old enough for every hour of the window, nor with too few successes', () => {
    const open = new OpenTrials();
    const d = new OutcomeDelays();
    // A campaign sent in one hour, ten hours ago: nothing says yet how many successes come after day 1.
    open.add('a', '', H0 * HOUR_MS, 1000);
    for (let i = 0; i < 200; i++) d.add('a', H0 * HOUR_MS, (i % 9) * HOUR_MS);
    expect(d.curve('a', WEEK, at(H0 + 10), open)).toBeUndefined();
    // Eight days on it can be made.
    expect(d.curve('a', WEEK, at(H0 + 8 * 24), open)).toBeDefined();

    const few = new OutcomeDelays();
    stream(open, 'b', H0, H0 + 30, 10);
    for (let i = 0; i < DELAYS_NEEDED - 1; i++) few.add('b', (H0 + (i % 20)) * HOUR_MS, HOUR_MS);
    expect(few.curve('b', 6 * HOUR_MS, at(H0 + 30), open)).toBeUndefined();
    few.add('b', H0 * HOUR_MS, HOUR_MS);
    // A curve is made once an hour: the fiftieth success counts from the next.
    expect(few.curve('b', 6 * HOUR_MS, at(H0 + 30), open)).toBeUndefined();
    expect(few.curve('b', 6 * HOUR_MS, at(H0 + 31), open)).toBeDefined();
  });

  it('weighs each delay by the choices that could have shown it, not by how many arrivals happen to be in', () => {
    // A stream that shrinks tenfold: arrivals now are mostly long delays of the many choices made
    // days ago. Counted as they arrive, the long delays outweigh the short; per choice old enough,
    // each delay counts as often as it happens: here half the successes come in hour 0, half in hour 3.
    const open = new OpenTrials();
    const d = new OutcomeDelays();
    for (let h = H0; h < H0 + 30; h++) {
      const n = h < H0 + 20 ? 1000 : 100;
      open.add('a', '', h * HOUR_MS + HOUR_MS / 2, n);
      const at = h * HOUR_MS + HOUR_MS / 2;
      for (let i = 0; i < n / 20; i++) {
        d.add('a', at, 0.5 * HOUR_MS);
        d.add('a', at, 3.5 * HOUR_MS);
      }
    }
    const f = d.curve('a', 6 * HOUR_MS, at(H0 + 30), open) as Float64Array;
    // Half the successes in hour of delay 0, half in hour 3: exposures ½·¼, ½·⅞, ½, ½ + ½·⅛, ½ + ½·⅞, 1.
    expect(f[0]).toBeCloseTo(0.125, 12);
    expect(f[1]).toBeCloseTo(0.4375, 12);
    expect(f[2]).toBeCloseTo(0.5, 12);
    expect(f[3]).toBeCloseTo(0.5625, 12);
    expect(f[4]).toBeCloseTo(0.9375, 12);
    expect(f[5]).toBe(1);
  });

  it('blends an action\'s own curve with the pooled one, by its successes, and leaves out the hours before a start until their successes are read', () => {
    const open = new OpenTrials();
    const d = new OutcomeDelays();
    const window = 4 * HOUR_MS;
    stream(open, 'fast', H0, H0 + 12, 100);
    stream(open, 'slow', H0, H0 + 12, 100);
    // 'slow': 50 successes, all in hour of delay 2; 'fast': 150, all in hour 0.
    for (let h = H0; h < H0 + 10; h++) for (let i = 0; i < 5; i++) d.add('slow', h * HOUR_MS + HOUR_MS / 2, 2.5 * HOUR_MS);
    for (let h = H0; h < H0 + 10; h++) for (let i = 0; i < 15; i++) d.add('fast', h * HOUR_MS + HOUR_MS / 2, 0.5 * HOUR_MS);
    // At hour H0 + 12 a choice of hour H0 + i has had every hour of delay below 11 − i: hours of delay
    // 0, 1, 2, 3 read the choices of 11, 10, 9 and 8 hours (1,100 … 800 an action); 'fast' has its
    // 150 successes read (hours H0 … H0 + 9, all of hour 0 behind them), 'slow' 45 (H0 … H0 + 8).
    // Pooled: successes per choice 150/2200 at hour 0 and 45/1800 at hour 2, as shares of their sum.
    const pooled0 = 150 / 2200 / (150 / 2200 + 45 / 1800);
    const slow = d.curve('slow', window, at(H0 + 12), open) as Float64Array;
    const fast = d.curve('fast', window, at(H0 + 12), open) as Float64Array;
    // The share at hour of delay 0 is the blend (w·own + 50·pooled) / (w + 50), w the action's
    // successes read; a choice of the current hour has had a quarter of those (at half past).
    expect(fast[0]).toBeCloseTo(0.25 * ((150 * 1 + 50 * pooled0) / 200), 12);
    expect(slow[0]).toBeCloseTo(0.25 * ((45 * 0 + 50 * pooled0) / 95), 12);

    // After a start at hour H0 + 9 that read the earlier successes of hours H0 + 5 … H0 + 9 only, the
    // hours before are left out: 'fast' rests on hours H0 + 5 … H0 + 9 (75 successes over 600
    // choices), 'slow' on H0 + 5 … H0 + 8 (20 over 400), and so does the pool.
    d.startedAt((H0 + 9) * HOUR_MS + 60_000);
    d.forget();
    expect(d.curve('fast', window, at(H0 + 12), open)).toBeUndefined();
    for (let h = H0 + 5; h <= H0 + 9; h++) d.markRead(h);
    d.forget();
    const since0 = 75 / 1200 / (75 / 1200 + 20 / 800);
    expect(d.curve('fast', window, at(H0 + 12), open)?.[0]).toBeCloseTo(0.25 * ((75 * 1 + 50 * since0) / 125), 12);
  });
  it('sums the successes of the choices of open hours, once every such hour is complete', () => {
    const open = new OpenTrials();
    const d = new OutcomeDelays();
    stream(open, 'a', H0, H0 + 10, 10);
    for (let h = H0; h < H0 + 10; h++) d.add('a', at(h), HOUR_MS);
    // From hour H0 + 6 on: four hours of one success each.
    expect(d.successesSince('a', H0 + 6, open)).toBe(4);
    d.add('a', at(H0 + 8), 0);
    expect(d.successesSince('a', H0 + 6, open)).toBe(5);
    // After a start in hour H0 + 9, the hours up to it count once read.
    d.startedAt((H0 + 9) * HOUR_MS + 60_000);
    expect(d.successesSince('a', H0 + 6, open)).toBeUndefined();
    // Read: the sum is made again (the hours read are not a change its cache saw otherwise).
    for (let h = H0 + 6; h <= H0 + 9; h++) d.markRead(h);
    expect(d.successesSince('a', H0 + 6, open)).toBe(5);
    d.forget();
    expect(d.successesSince('a', H0 + 6, open)).toBe(5);
    // Another delay in an hour that has some (its sum is kept per hour, whatever the delays); then the
    // hours before H0 + 7 let go (a server prunes only hours no window reaches).
    d.add('a', at(H0 + 8), 5 * HOUR_MS);
    expect(d.successesSince('a', H0 + 6, open)).toBe(6);
    open.prune(at(H0 + 7));
    d.prune(at(H0 + 7));
    expect(d.successesSince('a', H0 + 7, open)).toBe(5);
    expect(d.successesSince('a', H0 + 8, open)).toBe(4);
    // A prune reaching into the hours summed (never on a server, which keeps every hour a window
    // reaches) makes the sum again: hour H0 + 8's three successes go, H0 + 9's one is left.
    expect(d.successesSince('a', H0 + 8, open)).toBe(4);
    open.prune(at(H0 + 9));
    d.prune(at(H0 + 9));
    expect(d.successesSince('a', H0 + 8, open)).toBe(1);
  });
});
