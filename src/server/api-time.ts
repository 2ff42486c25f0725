import { readIsoTime } from '../collect/normalize.js';

/**
 * Whether a text is a time the API takes wherever its schema says `format: date-time`: an ISO-8601
 * date-time as the collection reads an event's (readIsoTime) — also with an offset of hours alone
 * (`+01`) or a space before the time — and no text Date cannot hold (a leap second, 23:59:60).
 * The validators check the format with it ({@link partValidators}) and the routes read the time
 * with {@link apiTime}, so what passes the check is read, never NaN: until 2026-12-05 the format
 * was ajv-formats', which passed `+01` and `23:59:60Z`, and Date.parse read both as NaN — a
 * filter that matched nothing on SQLite and a 500 on PostgreSQL, an outcome stored at NaN.
 *
 * @example
 * isApiTime('2026-12-05T10:00:00+01'); // true
 * isApiTime('2016-12-31T23:59:60Z'); // false
 */
export function isApiTime(text: string): boolean {
  return !Number.isNaN(readIsoTime(text));
}

/**
 * Epoch milliseconds of a `date-time` a request's schema let through ({@link isApiTime}); undefined for undefined.
 *
 * @example
 * apiTime('2026-12-05T10:00:00+01'); // Date.UTC(2026, 11, 5, 9)
 */
export function apiTime(text: string): number;
export function apiTime(text: string | undefined): number | undefined;
export function apiTime(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  return readIsoTime(text);
}
