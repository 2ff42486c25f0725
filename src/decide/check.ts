import { unknownFields } from '../config/document-kind.js';
import type { FieldProblem } from '../errors/tact-error.js';
import { parseDuration, readDuration } from '../profiles/features/definition.js';
import { compileRule } from '../rules/cel.js';

/**
 * Small helpers that check one field of an operator's document and push a sentence naming it.
 * Every check returns nothing and records its problem, so one pass reports every bad field.
 *
 * @example
 * const c = new Checker(); c.string(body.id, 'actions[0].id'); c.problems; // [] when fine
 */
export class Checker {
  readonly problems: FieldProblem[] = [];

  add(field: string, message: string): void {
    this.problems.push({ field, message });
  }

  object(v: unknown, field: string): v is Record<string, unknown> {
    if (v && typeof v === 'object' && !Array.isArray(v)) return true;
    this.add(field, `The \`${field}\` must be an object.`);
    return false;
  }

  list(v: unknown, field: string, optional = true): v is unknown[] {
    if (v === undefined && optional) return false;
    if (Array.isArray(v)) return true;
    this.add(field, `The \`${field}\` must be a list.`);
    return false;
  }

  string(v: unknown, field: string, optional = false): boolean {
    if (v === undefined && optional) return true;
    if (typeof v === 'string' && v.trim() !== '') return true;
    this.add(field, `The \`${field}\` must be a non-empty string.`);
    return false;
  }

  id(v: unknown, field: string): boolean {
    if (typeof v === 'string' && /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/.test(v)) return true;
    // (Until 2026-12-05 it left out the first character's rule: `-offer-a` was told to be what it was.)
    this.add(field, `The \`${field}\` must be an id that starts with a letter or digit and holds only letters, digits, \`_\`, \`-\`, \`.\` or \`:\` (at most 128 characters).`);
    return false;
  }

  strings(v: unknown, field: string): boolean {
    if (v === undefined) return true;
    if (Array.isArray(v) && v.every((x) => typeof x === 'string' && x !== '')) return true;
    this.add(field, `The \`${field}\` must be a list of non-empty strings.`);
    return false;
  }

  number(v: unknown, field: string, opts: { min?: number; max?: number; optional?: boolean; integer?: boolean } = {}): boolean {
    if (v === undefined && opts.optional !== false) return true;
    const ok = typeof v === 'number' && Number.isFinite(v) && (!opts.integer || Number.isInteger(v)) && (opts.min === undefined || v >= opts.min) && (opts.max === undefined || v <= opts.max);
    if (ok) return true;
    const range = opts.min !== undefined && opts.max !== undefined ? ` between ${opts.min} and ${opts.max}` : opts.min !== undefined ? ` of at least ${opts.min}` : '';
    this.add(field, `The \`${field}\` must be ${opts.integer ? 'a whole number' : 'a number'}${range}.`);
    return false;
  }

  boolean(v: unknown, field: string): boolean {
    if (v === undefined || typeof v === 'boolean') return true;
    this.add(field, `The \`${field}\` must be true or false.`);
    return false;
  }

  duration(v: unknown, field: string): boolean {
    if (v === undefined || parseDuration(v) !== undefined) return true;
    // "0s" is a duration, just not a usable one: say so, not that it is unreadable.
    this.add(field, readDuration(v) === 0 ? `The \`${field}\` must be longer than zero; it was ${JSON.stringify(v)}.` : `The \`${field}\` must be a duration such as "7d", "12h" or "30m".`);
    return false;
  }

  time(v: unknown, field: string): boolean {
    if (v === undefined || (typeof v === 'string' && !Number.isNaN(Date.parse(v)))) return true;
    this.add(field, `The \`${field}\` must be an ISO-8601 time such as "2027-01-15T00:00:00Z".`);
    return false;
  }

  clock(v: unknown, field: string): boolean {
    if (typeof v === 'string' && /^([01]\d|2[0-3]):[0-5]\d$/.test(v)) return true;
    this.add(field, `The \`${field}\` must be a time of day as "HH:MM" (24-hour clock).`);
    return false;
  }

  oneOf(v: unknown, field: string, allowed: readonly string[]): boolean {
    if (v === undefined || (typeof v === 'string' && allowed.includes(v))) return true;
    this.add(field, `The \`${field}\` must be one of ${allowed.map((a) => `"${a}"`).join(', ')}.`);
    return false;
  }

  cel(v: unknown, field: string, optional = true): boolean {
    if (v === undefined && optional) return true;
    if (typeof v !== 'string' || v.trim() === '') {
      this.add(field, `The \`${field}\` must be a CEL expression.`);
      return false;
    }
    try {
      compileRule(v, field, { authoring: true });
      return true;
    } catch (e) {
      this.add(field, (e as Error).message);
      return false;
    }
  }

  /**
   * Fields an object (the document, or an item in it at `field`) does not take, each named with the
   * key it likely means: a typo saved would silently do nothing — a misspelt `eligibility` leaves
   * the action with no eligibility rule, shown to everyone.
   */
  known(obj: Record<string, unknown>, field: string, keys: readonly string[]): void {
    this.problems.push(...unknownFields(obj, keys, field));
  }
}

/** Milliseconds of a checked duration (or the default). @example ms('7d', 0) // 604800000 */
export function ms(v: string | undefined, dflt: number): number {
  return v === undefined ? dflt : (parseDuration(v) ?? dflt);
}
