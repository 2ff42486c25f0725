import { validationError } from '../errors/tact-error.js';

/** Where a page of the decision log ends: its last decision's time and id (the log's order, newest first). */
export interface LogPosition {
  at: number;
  id: string;
}

/**
 * The opaque cursor of a page of GET /v1/decisions: its last decision's (at, id), base64url.
 *
 * @example
 * decisionCursor({ at: 1764500000000, id: '01M8…' }); // 'MTc2NDUwMDAwMDAwMC4wMU04…'
 */
export function decisionCursor(p: LogPosition): string {
  return Buffer.from(`${p.at}.${p.id}`, 'utf8').toString('base64url');
}

/**
 * The position a cursor of {@link decisionCursor} names; a 400 naming `after` when it is none
 * (`of` names the list in its sentence: the alerts' pages use the same cursor).
 *
 * @example
 * readDecisionCursor(decisionCursor({ at: 5, id: 'd-1' })); // { at: 5, id: 'd-1' }
 */
export function readDecisionCursor(cursor: string, of = 'the decision log'): LogPosition {
  const text = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const m = /^(\d{1,16})\.(.+)$/s.exec(text);
  const at = m ? Number(m[1]) : NaN;
  if (!m || !Number.isSafeInteger(at) || Buffer.from(text, 'utf8').toString('base64url') !== cursor) {
    throw validationError([{ field: 'querystring.after', message: `The \`after\` is not a cursor of ${of}: pass the \`next\` of the previous page as it was answered.` }]);
  }
  return { at, id: m[2] };
}
