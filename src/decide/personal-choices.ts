import { HOUR_MS } from './open-trials.js';

/**
 * A subject's newest choices kept for its personal rung to read as open (ADR 0007): a subject chosen
 * for more inside a window has its older ones read as closed — as failures, unless they converted.
 */
export const PERSONAL_CHOICES = 16;
/** Numbers a kept choice takes in a subject's list: action index · 2 + 1 once a success was credited to it, and its decision time. */
const C = 2;
const EMPTY: readonly number[] = [];

/**
 * Each subject's newest choices (at most {@link PERSONAL_CHOICES}) with their decision times and
 * whether a success was credited to each: what the personal rung of the subject's estimates reads
 * as still inside its attribution window (docs/adr/0007-open-attribution-windows.md). Actions are
 * named by their index (OutcomeCounts' `actionIndex`).
 *
 * A subject's list is {@link C} numbers a choice, oldest first, made anew at its exact length when
 * it changes: arrays grown in place keep room for a dozen more numbers, which over a hundred
 * thousand subjects with a few choices each is most of it. Choices whose every window has closed go
 * at pruning.
 *
 * @example
 * const p = new PersonalChoices(); p.note(0, 'p1', Date.now() - 60_000);
 * p.open(0, 'p1', [], Date.now(), 7 * 86_400_000).open; // 1
 */
export class PersonalChoices {
  private readonly by = new Map<string, number[]>();
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
  }

  /**
   * The kept choices of action `a` for `subject` (and the keys merged into it, `also`) inside their
   * window of `windowMs` at `now`, how many converted already, and with the learned delay's `curve`
   * (OutcomeDelays.curve: the share of its successes a choice k hours old has had) how much of their
   * chance to convert is still to come.
   */
  open(a: number, subject: string, also: readonly string[], now: number, windowMs: number, curve?: Float64Array): { open: number; won: number; unexposed: number } {
    const out = { open: 0, won: 0, unexposed: 0 };
    const hour = Math.floor(now / HOUR_MS);
    for (let k = -1; k < also.length; k++) {
      const list = this.by.get(k < 0 ? subject : also[k]);
      if (!list) continue;
      for (let i = list.length - C; i >= 0; i -= C) {
        const at = list[i + 1];
        if (at + windowMs <= now) break;
        if (list[i] >> 1 !== a || at > now) continue;
        out.open += 1;
        out.won += list[i] & 1;
        if (curve) out.unexposed += 1 - (curve[Math.min(curve.length - 1, hour - Math.floor(at / HOUR_MS))] ?? 1);
      }
    }
    return out;
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
    }
    return false;
  }
}
