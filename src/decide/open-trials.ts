/** The width of a bucket of open choices (ms): choices are counted per hour of decision. */
export const HOUR_MS = 3_600_000;

interface Buckets {
  /** hour (floor(at / HOUR_MS)) → choices decided in it. */
  hours: Map<number, number>;
  /** The open choices as last summed: at `hour` under `window` (ms). */
  hour: number;
  window: number;
  open: number;
  /** The open choices' unexposed share as last summed (`unexposed`): at `uHour` under `uWindow` and the curve `uCurve`. */
  uHour: number;
  uWindow: number;
  uCurve: Float64Array | undefined;
  unexposed: number;
  /** hour of decision → the credited successes of its choices (`addSuccess`; groups only: the population's are OutcomeDelays'). */
  won?: Map<number, number>;
  /** The successes of the open choices as last summed (`successes`): at `wHour` under `wWindow`; NaN once a success is added. */
  wHour: number;
  wWindow: number;
  wonOpen: number;
}

/**
 * Choices whose attribution window is still open, per action and group ('' for the population),
 * counted per hour of decision (docs/adr/0007-open-attribution-windows.md). A choice made at `at` is
 * open until its window has run out: its outcome may still come, so it is not yet evidence that the
 * action failed. An hour's choices count as open while the hour's last choice's window is open
 * (to the hour: a bucket closes in the hour its window ends), so the sum changes only when the hour
 * turns or a choice is added, and is cached in between.
 *
 * @example
 * const o = new OpenTrials(); o.add('winback', '', Date.parse('2026-12-06T10:15:00Z'));
 * o.open('winback', '', Date.parse('2026-12-06T11:00:00Z'), 7 * 86_400_000); // 1
 * o.open('winback', '', Date.parse('2026-12-14T11:00:00Z'), 7 * 86_400_000); // 0
 */
export class OpenTrials {
  private readonly by = new Map<string, Map<string, Buckets>>();

  /** `n` choices of `action` decided at `at`, counted for `group` ('' for the population). */
  add(action: string, group: string, at: number, n = 1): void {
    let groups = this.by.get(action);
    if (!groups) this.by.set(action, (groups = new Map()));
    let b = groups.get(group);
    if (!b) groups.set(group, (b = { hours: new Map(), hour: Number.NaN, window: 0, open: 0, uHour: Number.NaN, uWindow: 0, uCurve: undefined, unexposed: 0, wHour: Number.NaN, wWindow: 0, wonOpen: 0 }));
    const h = Math.floor(at / HOUR_MS);
    b.hours.set(h, (b.hours.get(h) ?? 0) + n);
    if (h >= firstOpen(b.hour, b.window)) b.open += n;
    if (h >= firstOpen(b.uHour, b.uWindow) && b.uCurve) b.unexposed += n * (1 - (b.uCurve[Math.min(b.uCurve.length - 1, Math.max(0, b.uHour - h))] ?? 1));
  }

  /**
   * `n` successes credited to a choice of `action` in `group` decided at `decidedAt`: with the
   * choices of its hour until they close, so the group's highest reading can leave the open
   * choices out with their successes (`successes`), as the population's does (ADR 0007).
   */
  addSuccess(action: string, group: string, decidedAt: number, n = 1): void {
    const b = this.by.get(action)?.get(group);
    // No choice of the group is held: its hour is closed, or pruned (the success is old news).
    if (!b) return;
    const h = Math.floor(decidedAt / HOUR_MS);
    if (!b.hours.has(h)) return;
    b.won ??= new Map();
    b.won.set(h, (b.won.get(h) ?? 0) + n);
    b.wHour = Number.NaN;
  }

  /**
   * The successes credited to the choices of `action` in `group` that are inside their window of
   * `windowMs` at `now` (`addSuccess`): summed again when the hour turns or a success is added (until
   * 2026-12-07 at every call — every estimate of a subject's own, once a delay is learned).
   */
  successes(action: string, group: string, now: number, windowMs: number): number {
    const b = this.by.get(action)?.get(group);
    const won = b?.won;
    if (!b || !won) return 0;
    const hour = Math.floor(now / HOUR_MS);
    if (b.wHour === hour && b.wWindow === windowMs) return b.wonOpen;
    const first = firstOpen(hour, windowMs);
    let s = 0;
    for (const [h, n] of won) if (h >= first) s += n;
    b.wHour = hour;
    b.wWindow = windowMs;
    b.wonOpen = s;
    return s;
  }

  /** How many choices of `action` in `group` are inside their window of `windowMs` at `now`. */
  open(action: string, group: string, now: number, windowMs: number): number {
    const b = this.by.get(action)?.get(group);
    if (!b) return 0;
    const hour = Math.floor(now / HOUR_MS);
    if (b.hour === hour && b.window === windowMs) return b.open;
    const first = firstOpen(hour, windowMs);
    let open = 0;
    for (const [h, n] of b.hours) if (h >= first) open += n;
    b.hour = hour;
    b.window = windowMs;
    b.open = open;
    return open;
  }

  /**
   * The open choices of `action` in `group` at `now` weighed by the share of their chance to convert
   * still to come: Σ over open hours of choices × (1 − F(k)), with `curve` F per hour of decision k
   * hours before the current one (OutcomeDelays.curve). The trials less this are the choices'
   * exposure: what the successes so far are out of (docs/adr/0007-open-attribution-windows.md).
   */
  unexposed(action: string, group: string, now: number, windowMs: number, curve: Float64Array): number {
    const b = this.by.get(action)?.get(group);
    if (!b) return 0;
    const hour = Math.floor(now / HOUR_MS);
    if (b.uHour === hour && b.uWindow === windowMs && b.uCurve === curve) return b.unexposed;
    const first = firstOpen(hour, windowMs);
    let u = 0;
    for (const [h, n] of b.hours) if (h >= first) u += n * (1 - (curve[Math.min(curve.length - 1, hour - h)] ?? 1));
    b.uHour = hour;
    b.uWindow = windowMs;
    b.uCurve = curve;
    b.unexposed = u;
    return u;
  }

  /** The choices of `action` for the population, per hour of decision (OutcomeDelays reads them). */
  hours(action: string): ReadonlyMap<number, number> | undefined {
    return this.by.get(action)?.get('')?.hours;
  }

  /** The actions with choices counted. */
  actions(): Iterable<string> {
    return this.by.keys();
  }

  /** Lets go of the hours before `before` (ms): no window reaches back that far. */
  prune(before: number): void {
    const cut = Math.floor(before / HOUR_MS);
    for (const [action, groups] of this.by) {
      for (const [group, b] of groups) {
        for (const h of b.hours.keys()) if (h < cut) b.hours.delete(h);
        if (b.won) for (const h of b.won.keys()) if (h < cut) b.won.delete(h);
        if (!b.hours.size) groups.delete(group);
        b.hour = Number.NaN;
        b.uHour = Number.NaN;
        b.wHour = Number.NaN;
      }
      if (!groups.size) this.by.delete(action);
    }
  }
}

/** The first hour of decision whose choices are open at `now` under a window of `windowMs`. */
export function firstOpenHour(now: number, windowMs: number): number {
  return firstOpen(Math.floor(now / HOUR_MS), windowMs);
}

/** The first hour whose choices are open in `hour` under a window of `windowMs` (none when `hour` is unset). */
function firstOpen(hour: number, windowMs: number): number {
  // NaN compares false: nothing is summed yet, so nothing is added to the cached sum.
  return Number.isNaN(hour) ? Number.POSITIVE_INFINITY : hour - Math.ceil(windowMs / HOUR_MS);
}
