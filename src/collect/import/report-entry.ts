import { isUtf8 } from 'node:buffer';
import { incompleteTail } from './utf8.js';

/**
 * The most of a bad line's text a report entry holds: 64 KB of UTF-8 (of a line that is not
 * UTF-8, 65,536 bytes). A line longer is cut there, the entry saying so.
 */
export const REPORT_TEXT_BYTES = 64 * 1024;

/**
 * What a report shows of a record when it is not the record's `text` as is: the start of a line
 * too long to be held (`bytes` its whole length), or a line that is not UTF-8 as Latin-1 (one
 * character a byte: `Buffer.from(text, 'latin1')` gives its bytes back).
 */
export type Shown = { text: string; bytes: number; latin1?: true };

/** What a report shows of a line known only by its first bytes (`head`) and its length. */
export function shownOfHead(head: Buffer, bytes: number): Shown {
  const cut = head.subarray(0, REPORT_TEXT_BYTES);
  const whole = cut.subarray(0, incompleteTail(cut));
  return isUtf8(whole) ? { text: whole.toString('utf8'), bytes } : { text: cut.toString('latin1'), bytes, latin1: true };
}

/** A record as the report needs it: `shown` null when nothing of it is kept (a row the CSV parser skipped). */
export type Reported = { text: string; shown?: Shown | null };

/**
 * One line of a report of bad lines (JSONL): the line number, the reason (with the collection
 * API's problems, when it gave them) and the line's text, so that what was refused can be mended
 * and sent again even when it came from stdin. A CSV record's text is its fields written as CSV
 * again with `csvDelimiter` (the parser keeps no record as written). `text` is cut at
 * REPORT_TEXT_BYTES (`cut: true`, `bytes` the line's whole length); a line that is not UTF-8 comes
 * as Latin-1 (`encoding: "latin1"`); `text` is null when nothing of the line is kept.
 *
 * @example
 * reportEntry({ line: 7, reason: 'the line is not valid JSON (…)' }, { text: '{not json' });
 * // '{"line":7,"reason":"the line is not valid JSON (…)","text":"{not json"}'
 */
export function reportEntry(e: { line: number; reason: string; problems?: unknown }, rec: Reported | undefined, csvDelimiter?: string): string {
  const base = { line: e.line, reason: e.reason, ...(e.problems ? { problems: e.problems } : {}) };
  if (!rec || rec.shown === null) return JSON.stringify({ ...base, text: null });
  const shown = rec.shown ?? { text: csvDelimiter === undefined ? rec.text : csvLine(JSON.parse(rec.text) as string[], csvDelimiter), bytes: -1 };
  const bytes = shown.bytes >= 0 ? shown.bytes : shown.latin1 ? shown.text.length : Buffer.byteLength(shown.text);
  let text = shown.text;
  if (shown.latin1) text = text.slice(0, REPORT_TEXT_BYTES);
  else if (bytes > REPORT_TEXT_BYTES && Buffer.byteLength(text) > REPORT_TEXT_BYTES) {
    const b = Buffer.from(text).subarray(0, REPORT_TEXT_BYTES);
    text = b.subarray(0, incompleteTail(b)).toString('utf8');
  }
  const kept = shown.latin1 ? text.length : Buffer.byteLength(text);
  return JSON.stringify({ ...base, text, ...(kept < bytes ? { cut: true, bytes } : {}), ...(shown.latin1 ? { encoding: 'latin1' } : {}) });
}

/** A CSV record's fields as a line of CSV: quoted where a field holds the delimiter, a quote or a line break. */
function csvLine(fields: string[], delimiter: string): string {
  return fields.map((f) => (f.includes(delimiter) || /["\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(delimiter);
}
