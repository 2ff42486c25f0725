import { HOUR_MS } from './open-trials.js';

/** Successes a curve rests on before it is used: fewer leave the estimates' values as the counts give them. */
export const DELAYS_NEEDED = 50;
/** How many successes the pooled curve weighs as in an action's own: its own take over as they outnumber it. */
const POOLED_WEIGHT = 50;
/** Parts of an hour the curve is made for (the time within the hour moves every choice's age): 3 minutes each. */
const SLOTS = 20;

/** The choices of an action per hour of decision (OpenTrials.hours), and the actions that have some. */
export interface ChoicesByHour {
  hours(action: string): ReadonlyMap<number, number> | undefined;
  actions(): Iterable<string>;
}

/**
 * How long an action's successes take to arrive after its choices (docs/adr/0007-open-attribution-windows.md,
 * F): successes counted per hour of decision and hour of delay, read against the choices made in each
 * hour (OpenTrials), so that an open choice can count as the share of its chance to convert it has had
 * (its exposure; Chapelle 2014, "Modeling delayed feedback in display advertising", KDD).
 *
 * The curve is the life-table estimate: for each hour of delay k, the successes that came k hours
 * after their choice per choice old enough to have had all of hour k — choices of hours at least
 * k + 2 before the current one (an hour's choices and now spread over their hours) — so a burst of
 * choices, a stream that grows or shrinks, or one that began last night weighs each delay by the
 * choices that could have shown it, not by how many arrivals happen to be in. After a start, the
 * hours before it count once their successes were read from the log (`startedAt`, `markRead`).
 * An action's own curve is blended with the one pooled over every action, weighing
 * {@link POOLED_WEIGHT} successes; with fewer than {@link DELAYS_NEEDED} successes in the pool, or
 * no choices old enough for every hour of the window, there is no curve.
 *
 * @example
 * const d = new OutcomeDelays(); d.add('winback', decidedAt, 3 * HOUR_MS);
 * d.curve('winback', 7 * 86_400_000, Date.now(), counts.open)?.[24]; // the share of its successes a day-old choice has had
 */
export class OutcomeDelays {
  /** action → hour of decision → hour of delay → successes. */
  private readonly by = new Map<string, Map<number, Map<number, number>>>();
  /** action → hour of decision → its successes (the sum of `by`'s delays): what `successesSince` adds up. */
  private readonly perHour = new Map<string, Map<number, number>>();
  /** Hours of decision from which every success is counted here as it comes (after a start: the hours after its own). */
  private liveFrom = Number.NEGATIVE_INFINITY;
  /** Hours before `liveFrom` whose earlier successes a start read from the log. */
  private readonly read = new Set<number>();
  /** action → window → the curve as made in `hour`. */
  private readonly curves = new Map<string, Map<number, { hour: number; slot: number; f: Float64Array | undefined }>>();
  /** Window length in hours → every action's life table as made in `hour`. */
  private readonly tables = new Map<number, Tables>();
  /** Window lengths (in hours) whose tables for a new hour are being made in steps ({@link defer}). */
  private readonly making = new Set<number>();
  /**
   * When set (the server: `setImmediate`), the tables of a new hour are made in steps of
   * {@link TABLE_STEP} actions, each a turn of the event loop, and a curve of a new twentieth of
   * the hour is made in one pass for every action after the estimate that found it out of date —
   * meanwhile the estimates read the tables and curves made before. Unset (tests, the CLI), both are
   * made when first asked for, inside that call: at the hour's turn, 27–33 ms for 1,000 actions in
   * one estimate, and every three minutes a curve for each action a decision estimates (docs/adr/0007).
   */
  defer?: (step: () => void) => void;
  /** A pass remaking the curves of the current twentieth of the hour is scheduled ({@link defer}). */
  private remaking = false;
  /** Bumped by {@link forget}: tables being made from what was held before are not kept. */
  private generation = 0;

  /** action → successes added, and the last sum of those of hours from `first` (`successesSince`). */
  private readonly sums = new Map<string, { added: number; first: number; at: number; sum: number | undefined }>();

  /** A success of `action`, whose choice was made at `decidedAt`, credited `delayMs` after it. */
  add(action: string, decidedAt: number, delayMs: number): void {
    const sum = this.sums.get(action);
    if (sum) sum.added += 1;
    else this.sums.set(action, { added: 1, first: Number.NaN, at: 0, sum: undefined });
    const h = Math.floor(decidedAt / HOUR_MS);
    const k = Math.floor(Math.max(0, delayMs) / HOUR_MS);
    let hours = this.by.get(action);
    if (!hours) this.by.set(action, (hours = new Map()));
    let bins = hours.get(h);
    if (!bins) hours.set(h, (bins = new Map()));
    bins.set(k, (bins.get(k) ?? 0) + 1);
    let totals = this.perHour.get(action);
    if (!totals) this.perHour.set(action, (totals = new Map()));
    totals.set(h, (totals.get(h) ?? 0) + 1);
  }

  /** The successes of `action` held, with their delays (those of choices inside the hours kept). */
  held(action: string): { decidedAt: number; delayMs: number }[] {
    const out: { decidedAt: number; delayMs: number }[] = [];
    for (const [h, bins] of this.by.get(action) ?? []) for (const [k, n] of bins) for (let i = 0; i < n; i++) out.push({ decidedAt: h * HOUR_MS, delayMs: k * HOUR_MS });
    return out;
  }

  /**
   * The successes of `action` whose choices were made in hour `first` or later — those of choices
   * still inside their windows when `first` is the first open hour — or undefined when an hour from
   * `first` on with choices (`choices`) is not complete here (before a start's read of it).
   */
  successesSince(action: string, first: number, choices: ChoicesByHour): number | undefined {
    const s = this.sums.get(action);
    const added = s?.added ?? 0;
    if (s && s.first === first && s.at === added) return s.sum;
    let sum: number | undefined = 0;
    // Per hour, not per hour and delay: at the hour's turn every action's sum is made again (until
    // 2026-12-07 over every delay bin of every hour, with a closure each: a third of the first
    // estimates' time at 1,000 actions).
    const got = this.perHour.get(action);
    const made = choices.hours(action);
    if (made) {
      for (const h of made.keys()) {
        if (h < first) continue;
        if (h < this.liveFrom && !this.read.has(h)) {
          sum = undefined;
          break;
        }
        if (got) sum += got.get(h) ?? 0;
      }
    }
    const entry = { added, first, at: added, sum };
    this.sums.set(action, entry);
    return sum;
  }

  /**
   * A start at `at`: the successes of the choices of its hour and those before it are complete only
   * for the hours {@link markRead} names (their successes logged before the start read, with those
   * counted since); until then those hours are left out of the curves.
   */
  startedAt(at: number): void {
    this.liveFrom = Math.floor(at / HOUR_MS) + 1;
    this.read.clear();
    this.forget();
  }

  /** The successes logged before the start of the choices of hour `hour` (floor(at / 1 h)) were read. */
  markRead(hour: number): void {
    this.read.add(hour);
    this.resum();
  }

  /** Lets go of the hours of decision before `before` (ms), as OpenTrials does. */
  prune(before: number): void {
    const cut = Math.floor(before / HOUR_MS);
    for (const [action, hours] of this.by) {
      for (const h of hours.keys()) if (h < cut) hours.delete(h);
      if (!hours.size) this.by.delete(action);
    }
    for (const [action, totals] of this.perHour) {
      for (const h of totals.keys()) if (h < cut) totals.delete(h);
      if (!totals.size) this.perHour.delete(action);
    }
    for (const h of this.read) if (h < cut) this.read.delete(h);
    this.resum();
  }

  /** The next `successesSince` of each action sums again (the hours read, or those held, changed). */
  private resum(): void {
    for (const s of this.sums.values()) s.first = Number.NaN;
  }

  /**
   * F per hour of decision inside a window of `windowMs`, at `now`: element k is the share of the
   * action's successes (those inside the window) a choice made k hours before the current hour is
   * expected to have had (`exposure`; the current hour's is k = 0). The life tables are made at most
   * once an hour, the curve once every twentieth of it ({@link SLOTS}); undefined while no curve can be made.
   */
  curve(action: string, windowMs: number, now: number, choices: ChoicesByHour): Float64Array | undefined {
    const hour = Math.floor(now / HOUR_MS);
    const slot = Math.round(((now - hour * HOUR_MS) / HOUR_MS) * SLOTS);
    // Called on every estimate with open choices: the lookup builds no strings.
    let byWindow = this.curves.get(action);
    if (!byWindow) this.curves.set(action, (byWindow = new Map()));
    const hit = byWindow.get(windowMs);
    if (hit && hit.hour === hour && hit.slot === slot) return hit.f;
    if (hit && this.defer) {
      // Made before, for an earlier twentieth of the hour: it serves until the pass below has made this one's.
      this.remakeLater(windowMs, now, choices);
      return hit.f;
    }
    const f = this.make(action, windowMs, hour, slot / SLOTS, choices);
    // Made from the last hour's tables while this hour's are being made: marked to be made again by the pass.
    const fresh = this.tables.get(Math.max(1, Math.ceil(windowMs / HOUR_MS)))?.hour === hour;
    byWindow.set(windowMs, { hour, slot: fresh ? slot : -1, f });
    return f;
  }

  /** Schedules one pass that makes every action's curve of `windowMs` for the twentieth of the hour `now` is in, a few actions a step. */
  private remakeLater(windowMs: number, now: number, choices: ChoicesByHour): void {
    if (this.remaking || !this.defer) return;
    this.remaking = true;
    const defer = this.defer;
    const hour = Math.floor(now / HOUR_MS);
    const slot = Math.round(((now - hour * HOUR_MS) / HOUR_MS) * SLOTS);
    const bins = Math.max(1, Math.ceil(windowMs / HOUR_MS));
    const step = (): void => {
      // The tables of a new hour first, in their own steps; the curves once they are there.
      const tables = this.tables.get(bins);
      if (tables && tables.hour > hour) {
        // An hour later already: the next estimate schedules that hour's pass.
        this.remaking = false;
        return;
      }
      if (!tables || tables.hour !== hour) {
        this.makeTablesLater(bins, hour, choices);
        defer(step);
        return;
      }
      const stale: string[] = [];
      for (const [action, byWindow] of this.curves) {
        const c = byWindow.get(windowMs);
        if (c && (c.hour !== hour || c.slot !== slot)) stale.push(action);
      }
      let i = 0;
      const curves = (): void => {
        for (const end = Math.min(stale.length, i + CURVE_STEP); i < end; i++) {
          const byWindow = this.curves.get(stale[i]);
          const c = byWindow?.get(windowMs);
          if (!byWindow || !c || (c.hour === hour && c.slot === slot)) continue;
          byWindow.set(windowMs, { hour, slot, f: this.make(stale[i], windowMs, hour, slot / SLOTS, choices) });
        }
        if (i < stale.length) defer(curves);
        else this.remaking = false;
      };
      curves();
    };
    defer(step);
  }

  /** Starts making the tables of `bins` for `hour` in steps of {@link TABLE_STEP} actions, unless under way. */
  private makeTablesLater(bins: number, hour: number, choices: ChoicesByHour): void {
    if (this.making.has(bins) || !this.defer) return;
    this.making.add(bins);
    const defer = this.defer;
    const generation = this.generation;
    const actions = [...choices.actions()];
    const acc = emptyTables(bins, hour);
    let i = 0;
    const step = (): void => {
      // Forgotten meanwhile (a start's read ended): made again from what is held now, when next asked.
      if (generation !== this.generation) return;
      for (const end = Math.min(actions.length, i + TABLE_STEP); i < end; i++) addTable(acc, actions[i], this.table(actions[i], bins, hour, choices), bins);
      if (i < actions.length) return defer(step);
      this.making.delete(bins);
      const held = this.tables.get(bins);
      if (held && held.hour >= hour) return;
      this.tables.set(bins, finishTables(acc));
    };
    defer(step);
  }

  /** Forgets the curves made so far (the choices they read changed: a start's background read ended). */
  forget(): void {
    this.generation++;
    this.curves.clear();
    this.tables.clear();
    this.making.clear();
    this.resum();
  }

  private make(action: string, windowMs: number, hour: number, x: number, choices: ChoicesByHour): Float64Array | undefined {
    const bins = Math.max(1, Math.ceil(windowMs / HOUR_MS));
    const all = this.tablesAt(bins, hour, choices);
    if (!all.pooled) return undefined;
    const own = all.own.get(action);
    const w = own?.mass ? own.successes : 0;
    const mass = new Float64Array(bins);
    for (let k = 0; k < bins; k++) mass[k] = (w * (own?.mass ? own.mass[k] : 0) + POOLED_WEIGHT * all.pooled[k]) / (w + POOLED_WEIGHT);
    return exposure(mass, bins, x);
  }

  /** Every action's life table over `bins` hours of delay, and the pooled shares: made once an hour per window length. */
  private tablesAt(bins: number, hour: number, choices: ChoicesByHour): Tables {
    const hit = this.tables.get(bins);
    if (hit && hit.hour === hour) return hit;
    if (hit && this.defer) {
      // A pass of an hour just ended asking (the tables are newer): they serve, nothing is made.
      if (hit.hour > hour) return hit;
      // The hour turned: the last hour's tables serve until this hour's are made, a few actions a turn of the event loop.
      this.makeTablesLater(bins, hour, choices);
      return hit;
    }
    const acc = emptyTables(bins, hour);
    for (const a of choices.actions()) addTable(acc, a, this.table(a, bins, hour, choices), bins);
    const out = finishTables(acc);
    this.tables.set(bins, out);
    return out;
  }

  /** For each hour of delay k (below `bins`): the successes at k, and the choices old enough to have had all of hour k. */
  private table(action: string, bins: number, hour: number, choices: ChoicesByHour): LifeTable | undefined {
    const made = choices.hours(action);
    if (!made) return undefined;
    const got = this.by.get(action);
    const t: LifeTable = { successes: 0, successesAt: new Float64Array(bins), choices: new Float64Array(bins) };
    // Choices added over hours of delay [0, through) as differences, summed after.
    const ends = new Float64Array(bins + 1);
    const live = this.liveFrom;
    const read = this.read;
    made.forEach((n, h) => {
      if (h < live && !read.has(h)) return;
      // Every choice of hour h is more than hour − h − 1 hours old: it has had every hour of delay below that.
      const through = Math.min(bins, hour - h - 1);
      if (through <= 0) return;
      ends[through] += n;
      t.choices[0] += n;
      got?.get(h)?.forEach((c, k) => {
        if (k >= through) return;
        t.successesAt[k] += c;
        t.successes += c;
      });
    });
    for (let k = 1; k < bins; k++) t.choices[k] = t.choices[k - 1] - ends[k];
    return t;
  }
}

interface Tables {
  hour: number;
  own: Map<string, LifeTable & { mass?: Float64Array }>;
  pooled: Float64Array | undefined;
}

/** Actions whose life tables a step makes ({@link OutcomeDelays.defer}): ≈ 0.3 ms at 168 hours of window. */
const TABLE_STEP = 10;
/** Curves a step makes ({@link OutcomeDelays.defer}): ≈ 15 µs each at 168 hours of window. */
const CURVE_STEP = 20;

/** Tables being made: every action's so far, and the pool they add up to. */
interface TablesMaking {
  hour: number;
  own: Map<string, LifeTable & { mass?: Float64Array }>;
  pool: LifeTable;
}

function emptyTables(bins: number, hour: number): TablesMaking {
  return { hour, own: new Map(), pool: { successes: 0, successesAt: new Float64Array(bins), choices: new Float64Array(bins) } };
}

/** An action's life table into the tables being made, and into their pool. */
function addTable(acc: TablesMaking, action: string, t: LifeTable | undefined, bins: number): void {
  if (!t) return;
  const pool = acc.pool;
  pool.successes += t.successes;
  for (let k = 0; k < bins; k++) {
    pool.successesAt[k] += t.successesAt[k];
    pool.choices[k] += t.choices[k];
  }
  acc.own.set(action, t.successes > 0 && t.choices.every((n) => n > 0) ? { ...t, mass: masses(t) } : t);
}

function finishTables(acc: TablesMaking): Tables {
  const pool = acc.pool;
  const pooled = pool.successes >= DELAYS_NEEDED && pool.choices.every((n) => n > 0) ? masses(pool) : undefined;
  return { hour: acc.hour, own: acc.own, pooled };
}

interface LifeTable {
  successes: number;
  successesAt: Float64Array;
  choices: Float64Array;
}

/** Successes per choice at each hour of delay, as shares of them all (the life table's delay distribution). */
function masses(t: LifeTable): Float64Array {
  const out = new Float64Array(t.successesAt.length);
  let total = 0;
  for (let k = 0; k < out.length; k++) total += out[k] = t.successesAt[k] / t.choices[k];
  if (total > 0) for (let k = 0; k < out.length; k++) out[k] /= total;
  return out;
}

/**
 * For k = 0…bins, the share of the successes expected to have arrived for a choice of an hour k
 * hours before the current one, now being `x` of the way through the current hour — the successes of
 * hour of delay j spread evenly over it, and the choices over their hour. Such a choice's age is
 * uniform on (k + x − 1, k + x) hours, and in the current hour (k = 0, the choices made before now)
 * on (0, x). A delay uniform on (j, j + 1) has passed with probability Φ(R − j) − Φ(L − j) for an
 * age uniform on (L, L + 1), Φ(t) = ∫ clamp(t, 0, 1) = 0, t²/2, t − ½ below 0, on [0, 1], above
 * 1: the choices of hour k have had all the successes of hours of delay up to k − 2, x + ½ − x²/2 of
 * hour k − 1's, x²/2 of hour k's; those of the current hour x/2 of hour 0's.
 */
function exposure(mass: Float64Array, bins: number, x: number): Float64Array {
  const at = new Float64Array(bins + 1);
  const whole = new Float64Array(bins + 3);
  for (let j = 0; j < bins; j++) {
    const w = mass[j];
    if (!w) continue;
    if (j === 0) at[0] += (w * x) / 2;
    else at[j] += (w * x * x) / 2;
    if (j + 1 <= bins) at[j + 1] += w * (x + 0.5 - (x * x) / 2);
    whole[j + 2] += w;
  }
  let sum = 0;
  for (let k = 0; k <= bins; k++) {
    sum += whole[k];
    at[k] = Math.min(1, at[k] + sum);
  }
  return at;
}
