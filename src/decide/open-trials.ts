/** The width of a bucket of open choices (ms): choices are counted per hour of decision. */
export const HOUR_MS = 3_600_000;

interface Buckets {
  /** hour (floor(at / HOUR_MS)) → choices decided in it. */
  hours: Map<number, number>;
  /** The open choices as last summed: at `hour` under `window` (ms). */
  hour: number;
  window: number;
  open: number;
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
    if (!b) groups.set(group, (b = { hours: new Map(), hour: Number.NaN, window: 0, open: 0 }));
    const h = Math.floor(at / HOUR_MS);
    b.hours.set(h, (b.hours.get(h) ?? 0) + n);
    if (h >= firstOpen(b.hour, b.window)) b.open += n;
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

  /** Lets go of the hours before `before` (ms): no window reaches back that far. */
  prune(before: number): void {
    const cut = Math.floor(before / HOUR_MS);
    for (const [action, groups] of this.by) {
      for (const [group, b] of groups) {
        for (const h of b.hours.keys()) if (h < cut) b.hours.delete(h);
        if (!b.hours.size) groups.delete(group);
        b.hour = Number.NaN;
      }
      if (!groups.size) this.by.delete(action);
    }
  }
}

/** The first hour whose choices are open in `hour` under a window of `windowMs` (none when `hour` is unset). */
function firstOpen(hour: number, windowMs: number): number {
  // NaN compares false: nothing is summed yet, so nothing is added to the cached sum.
  return Number.isNaN(hour) ? Number.POSITIVE_INFINITY : hour - Math.ceil(windowMs / HOUR_MS);
}
