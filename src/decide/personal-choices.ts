import { HOUR_MS } from './open-trials.js';

/**
 * A subject's newest choices kept one by one for its personal rung to read as open (ADR 0007); its
 * older ones are kept as counts per action and day ({@link OLDER_BUCKETS}).
 */
export const PERSONAL_CHOICES = 16;
/** Numbers a kept choice takes in a subject's list: action index · 2 + 1 once a success was credited to it, and its decision time. */
const C = 2;
/**
 * A subject's older choices — past its newest {@link PERSONAL_CHOICES} — are counted per action and
 * day of decision, at most this many counts a subject: past it, its oldest count joins the next
 * oldest of the same action (their times then spread over both days), or, with none, is let go
 * (read as closed, as every older choice was until 2026-12-07).
 */
export const OLDER_BUCKETS = 48;
/** Numbers an older choices' count takes: action index, first and last decision time, choices, successes credited to them. */
const B = 5;
const DAY_MS = 86_400_000;
const EMPTY: readonly number[] = [];

/**
 * Each subject's newest choices (at most {@link PERSONAL_CHOICES}) with their decision times and
 * whether a success was credited to each, and its older ones counted per action and day: what the
 * personal rung of the subject's estimates reads as still inside its attribution window
 * (docs/adr/0007-open-attribution-windows.md). Actions are named by their index (OutcomeCounts'
 * `actionIndex`).
 *
 * A subject's list is {@link C} numbers a choice, oldest first, made anew at its exact length when
 * it changes: arrays grown in place keep room for a dozen more numbers, which over a hundred
 * thousand subjects with a few choices each is most of it. A choice pushed out of the list joins
 * the count of its action and day (first and last time, choices, successes): of a count, the
 * share of the time between its first and last choice that is still inside the window is read as
 * open — the choices taken as spread evenly over it — and its exposure under the learned delay is
 * the mean over that time. Until 2026-12-07 a subject chosen more than 16 times inside a window had
 * its older choices read as closed: failures, unless they had converted — a subject shown a web
 * placement every few minutes read lower for each action it saw, at once. Choices whose every
 * window has closed go at pruning.
 *
 * @example
 * const p = new PersonalChoices(); p.note(0, 'p1', Date.now() - 60_000);
 * p.open(0, 'p1', [], Date.now(), 7 * 86_400_000).open; // 1
 */
export class PersonalChoices {
  private readonly by = new Map<string, number[]>();
  /** subject → its older choices' counts, {@link B} numbers each (action, first time, last time, choices, successes). */
  private readonly older = new Map<string, number[]>();
  /** Where an unfinished pruning pass stands (`prune`). */
  private cursor: Iterator<[string, number[]]> | undefined;

  /** `n` choices of action `a` for `subject` decided at `at`, kept in time order; past {@link PERSONAL_CHOICES}, the oldest go. */
  note(a: number, subject: string, at: number, n = 1): void {
    const list = this.by.get(subject) ?? EMPTY;
    let i = list.length;
    while (i > 0 && list[i - C + 1] > at) i -= C;
    // The list with the n choices at i, less its oldest past the limit, written once at its length.
    const added = C * n;
    const total = list.length + added;
    const drop = Math.max(0, total - C * PERSONAL_CHOICES);
    const out = new Array<number>(total - drop);
    for (let r = drop; r < total; r++) out[r - drop] = r < i ? list[r] : r < i + added ? ((r - i) % C === 0 ? a * 2 : at) : list[r - added];
    this.by.set(subject, out);
    // The choices pushed out, oldest first, into their counts per action and day.
    for (let r = 0; r < drop; r += C) {
      if (r < i) this.spill(subject, list[r] >> 1, list[r + 1], list[r] & 1);
      else if (r < i + added) this.spill(subject, a, at, 0);
      else this.spill(subject, list[r - added] >> 1, list[r - added + 1], list[r - added] & 1);
    }
  }

  /** A choice of action `a` at `at` (with `won` successes credited to it) into `subject`'s count of its action and day. */
  private spill(subject: string, a: number, at: number, won: number): void {
    const day = Math.floor(at / DAY_MS);
    const older = this.older.get(subject);
    if (older) {
      for (let j = 0; j < older.length; j += B) {
        if (older[j] !== a || Math.floor(older[j + 1] / DAY_MS) > day || Math.floor(older[j + 2] / DAY_MS) < day) continue;
        older[j + 1] = Math.min(older[j + 1], at);
        older[j + 2] = Math.max(older[j + 2], at);
        older[j + 3] += 1;
        older[j + 4] += won;
        return;
      }
    }
    // A new count: the subject's counts written anew at their length (as its list is: an array
    // grown in place keeps room for more, over a hundred thousand subjects most of what it holds).
    const n = older?.length ?? 0;
    const out = new Array<number>(n + B);
    for (let j = 0; j < n; j++) out[j] = (older as number[])[j];
    out[n] = a;
    out[n + 1] = at;
    out[n + 2] = at;
    out[n + 3] = 1;
    out[n + 4] = won;
    if (out.length > B * OLDER_BUCKETS) this.fold(out);
    this.older.set(subject, out);
  }

  /** Joins a subject's oldest count (by its last time) to the next oldest of its action, or lets it go when there is none. */
  private fold(older: number[]): void {
    let o = 0;
    for (let j = B; j < older.length; j += B) if (older[j + 2] < older[o + 2]) o = j;
    let into = -1;
    for (let j = 0; j < older.length; j += B) if (j !== o && older[j] === older[o] && (into < 0 || older[j + 2] < older[into + 2])) into = j;
    if (into >= 0) {
      older[into + 1] = Math.min(older[into + 1], older[o + 1]);
      older[into + 2] = Math.max(older[into + 2], older[o + 2]);
      older[into + 3] += older[o + 3];
      older[into + 4] += older[o + 4];
    }
    older.splice(o, B);
  }

  /**
   * A choice read from the log (a start's, or read again after the contact window widened), `won`
   * when a success was credited to it: kept unless the same choice — action and time — is (then
   * only marked, when `won`).
   */
  noteLogged(a: number, subject: string, at: number, won = false): void {
    const list = this.by.get(subject);
    if (list) {
      for (let i = 0; i < list.length; i += C) {
        if (list[i + 1] !== at || list[i] >> 1 !== a) continue;
        if (won) list[i] = a * 2 + 1;
        return;
      }
    }
    this.note(a, subject, at);
    if (won) this.succeeded(a, subject, at, 1);
  }

  /**
   * `n` successes credited to the choices of action `a` decided at `decidedAt`, when kept: under
   * `subject`, or under the first of `subject`'s keys that keeps one — a success is credited under
   * the subject's key as it is when it comes, its choice kept under the key it was made for (an
   * anonymous visitor shown an offer, then signed in, then buying: the choice under `anon:…`).
   */
  succeeded(a: number, subject: string | readonly string[], decidedAt: number, n: number): void {
    for (const key of typeof subject === 'string' ? [subject] : subject) {
      const list = this.by.get(key);
      if (!list) continue;
      for (let i = list.length - C; i >= 0 && n > 0; i -= C) {
        if (list[i] === a * 2 && list[i + 1] === decidedAt) {
          list[i] = a * 2 + 1;
          n -= 1;
        }
      }
      if (n <= 0) return;
    }
    // Not kept one by one: a choice counted with the older ones of its action and day.
    for (const key of typeof subject === 'string' ? [subject] : subject) {
      const older = this.older.get(key);
      if (!older) continue;
      for (let j = 0; j < older.length && n > 0; j += B) {
        if (older[j] !== a || decidedAt < older[j + 1] || decidedAt > older[j + 2] || older[j + 4] >= older[j + 3]) continue;
        const k = Math.min(n, older[j + 3] - older[j + 4]);
        older[j + 4] += k;
        n -= k;
      }
      if (n <= 0) return;
    }
  }

  /**
   * The kept choices of action `a` for `subject` (and the keys merged into it, `also`) inside their
   * window of `windowMs` at `now` — the older ones' counts read as spread evenly over their times,
   * so the figures need not be whole numbers —, how many converted already, and with the learned delay's `curve`
   * (OutcomeDelays.curve: the share of its successes a choice k hours old has had) how much of their
   * chance to convert is still to come.
   */
  open(a: number, subject: string, also: readonly string[], now: number, windowMs: number, curve?: Float64Array): { open: number; won: number; unexposed: number } {
    const out = { open: 0, won: 0, unexposed: 0 };
    const hour = Math.floor(now / HOUR_MS);
    for (let k = -1; k < also.length; k++) {
      const key = k < 0 ? subject : also[k];
      const list = this.by.get(key) ?? EMPTY;
      for (let i = list.length - C; i >= 0; i -= C) {
        const at = list[i + 1];
        if (at + windowMs <= now) break;
        if (list[i] >> 1 !== a || at > now) continue;
        out.open += 1;
        out.won += list[i] & 1;
        if (curve) out.unexposed += 1 - (curve[Math.min(curve.length - 1, hour - Math.floor(at / HOUR_MS))] ?? 1);
      }
      const older = this.older.get(key);
      if (older) for (let j = 0; j < older.length; j += B) if (older[j] === a) this.openOlder(older, j, now, windowMs, curve, out);
    }
    return out;
  }

  /**
   * An older choices' count (at `j` of `older`) read at `now`: its choices taken as spread evenly
   * from its first time to its last, the share of them still inside the window of `windowMs` as
   * open, with that share of its successes, and with `curve` their mean chance still to come.
   */
  private openOlder(older: readonly number[], j: number, now: number, windowMs: number, curve: Float64Array | undefined, out: { open: number; won: number; unexposed: number }): void {
    const first = older[j + 1];
    const last = older[j + 2];
    const lo = Math.max(first, now - windowMs);
    const hi = Math.min(last, now);
    if (last + windowMs <= now || first > now || hi < lo) return;
    const share = last > first ? (hi - lo) / (last - first) : 1;
    if (!(share > 0)) return;
    const open = older[j + 3] * share;
    out.open += open;
    out.won += older[j + 4] * share;
    if (!curve) return;
    // The mean of 1 − F(age) over the open times, an hour of decision at a time (F is made per hour of age).
    const hour = Math.floor(now / HOUR_MS);
    const f = (h: number): number => 1 - (curve[Math.min(curve.length - 1, hour - h)] ?? 1);
    if (hi === lo) {
      out.unexposed += open * f(Math.floor(lo / HOUR_MS));
      return;
    }
    let sum = 0;
    for (let h = Math.floor(lo / HOUR_MS); h * HOUR_MS <= hi; h++) sum += f(h) * (Math.min(hi, (h + 1) * HOUR_MS) - Math.max(lo, h * HOUR_MS));
    out.unexposed += (open * sum) / (hi - lo);
  }

  /** Lets go of the choices decided before `before` (no window reaches back that far), `slice` subjects at a time; true when the pass ended. */
  prune(before: number, slice = Infinity): boolean {
    if (slice === Infinity) this.cursor = undefined;
    this.cursor ??= this.by.entries();
    for (let n = 0; n < slice; n++) {
      const next = this.cursor.next();
      if (next.done) {
        this.cursor = undefined;
        return true;
      }
      const [subject, list] = next.value;
      let i = 0;
      while (i < list.length && list[i + 1] < before) i += C;
      if (i === list.length) this.by.delete(subject);
      else if (i) this.by.set(subject, list.slice(i));
      this.pruneOlder(subject, before);
    }
    return false;
  }

  /**
   * Lets go of `subject`'s older counts whose last choice came before `before`, and of the part
   * before it of those that began earlier (their choices taken as spread evenly, as {@link open}
   * reads them). A pruning keeps the part's successes (at most its choices); with `spread`, they are
   * taken as spread evenly too ({@link forgetOlder}).
   */
  private pruneOlder(subject: string, before: number, spread = false): void {
    const older = this.older.get(subject);
    if (!older) return;
    for (let j = older.length - B; j >= 0; j -= B) {
      const first = older[j + 1];
      const last = older[j + 2];
      if (last < before) older.splice(j, B);
      else if (first < before) {
        const keep = (last - before) / (last - first);
        older[j + 1] = before;
        older[j + 3] *= keep;
        older[j + 4] = spread ? older[j + 4] * keep : Math.min(older[j + 4], older[j + 3]);
      }
    }
    if (!older.length) this.older.delete(subject);
  }

  /**
   * Lets go of every subject's older counts, or their part, from before `before` (the contact window
   * widened: each subject's choices before it are read from the log again at its next decision, and
   * would be counted twice; those kept one by one are recognised when read again). The part from
   * `before` on stays — the log is not read again for the last minutes, and until 2026-12-07 their
   * choices counted here went with the rest and read as closed — its choices and successes taken as
   * spread evenly over the count's times, as {@link open} reads them.
   */
  forgetOlder(before: number): void {
    for (const subject of [...this.older.keys()]) this.pruneOlder(subject, before, true);
  }
}
