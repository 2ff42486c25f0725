import { isUtf8 } from 'node:buffer';
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipeline, type Readable } from 'node:stream';
import { parse, type Options } from 'csv-parse';
import { createGunzip } from 'node:zlib';
import { checkHeader, rowToMessage, type ColumnMap } from './column-map.js';
import { LineCounter } from './line-counter.js';
import { withCutLine, type CutLine } from './read-failure.js';
import { REPORT_TEXT_BYTES, shownOfHead, type Shown } from './report-entry.js';
import { FromUtf16, NOT_UTF8_HINT, incompleteTail, utf8Faults } from './utf8.js';

/**
 * One line (or CSV record) of an import file: its 1-based number, the message, or why it is not
 * one. `text` is what the record holds as read (a JSONL line, a CSV record's fields), from which
 * the importer tells a file appended to from one changed; a CSV file's header comes as a record
 * of its own, marked `header`, with neither message nor error. A record marked `stop` is the
 * last: the file cannot be read past it (see MAX_LINE_BYTES). `shown` is what a report shows of a
 * bad record when it is not `text` (report-entry.ts): the start of a line too long to hold, a
 * line not UTF-8 as Latin-1, or null for a record of which nothing is kept.
 */
export type ImportRecord = { line: number; bytes: number; text: string; header?: true; message?: Record<string, unknown>; error?: string; stop?: true; shown?: Shown | null };

/**
 * A line longer than this is not held, only measured: no message on it can be within Segment's
 * 32 KB, and a file without line breaks (a JSON array, a binary file) would otherwise be read
 * into memory whole. A CSV record is bounded the same (with slack over 32 KB for the columns a
 * map leaves out): a quote never closed would otherwise make the rest of the file one field.
 * Where such a record would end cannot be known (the parser, told to skip it, goes on from the
 * middle of it and makes records of what follows), so the reading stops at it.
 */
export const MAX_LINE_BYTES = 1024 * 1024;

/**
 * Reads an import file record by record: JSONL (one Segment message per line) or CSV through a
 * column map. `.gz` files are read through gunzip. `bytes` is how far into the file the reader is
 * (for the progress bar). A CSV record is numbered by the line it starts on; a CSV file whose
 * header does not fit the map (checkHeader) is refused before its first record.
 * Bytes that are not UTF-8 (a Windows-1252 export) spoil only their line or record, reported as
 * such rather than stored with U+FFFD in their place; a file with a UTF-16 byte order mark is
 * read as UTF-16. `o.delimiter` separates a CSV record's fields (default `,`; a tab for TSV);
 * `o.input`, when given, is read instead of the file at `path` (stdin: `path` then only names it).
 *
 * @example
 * for await (const rec of readRecords('orders.tsv', 'csv', map, { delimiter: '\t' })) console.log(rec.line, rec.message);
 */
export async function* readRecords(path: string, format: 'jsonl' | 'csv', map?: ColumnMap, o: { delimiter?: string; input?: Readable } = {}): AsyncGenerator<ImportRecord> {
  const file = o.input ?? createReadStream(path);
  let bytes = 0;
  file.on('data', (chunk: Buffer | string) => (bytes += chunk.length));
  // Joined so that a read error (a .gz file cut short) ends the reading with its reason.
  const input = !o.input && /\.gz$/i.test(path) ? pipeline(file, createGunzip(), new FromUtf16(), noop) : pipeline(file, new FromUtf16(), noop);
  if (format === 'jsonl') {
    let line = 0;
    const lines = new LineSplitter();
    try {
      for await (const chunk of input as AsyncIterable<Buffer>) {
        for (const piece of lines.push(chunk)) {
          const rec = jsonl(++line, piece, bytes);
          if (rec) yield rec;
        }
      }
    } catch (err) {
      // The input cannot be read on (a .gz cut short): the line it stops in is not a line read
      // whole, so it is never a record; the error carries its number and what was read of it.
      throw withCutLine(err, { line: line + 1, ...cutShown(lines.end()[0]) });
    }
    for (const piece of lines.end()) {
      const rec = jsonl(++line, piece, bytes);
      if (rec) yield rec;
    }
    return;
  }
  yield* readCsv(input, map as ColumnMap, () => bytes, o.delimiter ?? ',');
}

/** The record of one JSONL line; undefined for a blank line. */
function jsonl(line: number, piece: Line, bytes: number): ImportRecord | undefined {
  if (!Buffer.isBuffer(piece)) {
    return { line, bytes, text: `(${piece.size} bytes, sha256 ${piece.sha256})`, error: `the line is ${piece.size} bytes long; a message may be at most 32 KB`, shown: shownOfHead(piece.head, piece.size) };
  }
  // A byte order mark (editors on Windows write one) is not part of the first message.
  const raw = line === 1 && piece[0] === 0xef && piece[1] === 0xbb && piece[2] === 0xbf ? piece.subarray(3) : piece;
  if (!isUtf8(raw)) {
    const at = utf8Faults(raw, false).faults[0];
    const text = raw.toString('latin1');
    return { line, bytes, text, error: `the line is not valid UTF-8 (byte ${at + 1} of the line): ${NOT_UTF8_HINT}`, shown: { text, bytes: raw.length, latin1: true } };
  }
  const text = raw.toString('utf8');
  if (!text.trim()) return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return { line, bytes, text, error: 'the line is JSON but not an object' };
    return { line, bytes, text, message: v as Record<string, unknown> };
  } catch (e) {
    return { line, bytes, text, error: `the line is not valid JSON (${(e as Error).message})` };
  }
}

/**
 * What was read of a line the input stops in (none: it stopped at a line's end), as a report shows
 * it: its text up to the last whole character, as Latin-1 when that is not UTF-8, or the start of a
 * line already longer than MAX_LINE_BYTES.
 */
function cutShown(piece: Line | undefined): Omit<CutLine, 'line'> {
  if (piece === undefined) return { text: '', shown: null };
  if (!Buffer.isBuffer(piece)) return { text: '', shown: shownOfHead(piece.head, piece.size) };
  const whole = piece.subarray(0, incompleteTail(piece));
  if (isUtf8(whole)) return { text: whole.toString('utf8') };
  const text = piece.toString('latin1');
  return { text, shown: { text, bytes: piece.length, latin1: true } };
}

/**
 * Splits a byte stream into lines as Node's readline does (LF, CRLF or a lone CR ends one; no
 * empty line after a final break), as bytes, so that each is checked as UTF-8 on its own. A line
 * longer than MAX_LINE_BYTES comes as its size, digest and first 64 KB (for the report) instead.
 * Lines of a chunk come back as one array: a generator's step per line costs more than the split.
 */
class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private long: Hash | undefined;
  private head: Buffer | undefined;
  private afterCR = false;

  push(chunk: Buffer): Line[] {
    const out: Line[] = [];
    if (!chunk.length) return out;
    // The LF of a CRLF whose CR ended the chunk before.
    let at = this.afterCR && chunk[0] === LF ? 1 : 0;
    this.afterCR = false;
    let cr = chunk.indexOf(CR, at);
    let lf = chunk.indexOf(LF, at);
    while (cr !== -1 || lf !== -1) {
      const end = cr === -1 ? lf : lf === -1 ? cr : Math.min(cr, lf);
      if (!this.size && !this.parts.length) out.push(chunk.subarray(at, end));
      else {
        this.add(chunk.subarray(at, end));
        out.push(this.take());
      }
      at = end + 1;
      if (chunk[end] === CR) {
        if (at === chunk.length) this.afterCR = true;
        else if (chunk[at] === LF) at += 1;
      }
      if (cr !== -1 && cr < at) cr = chunk.indexOf(CR, at);
      if (lf !== -1 && lf < at) lf = chunk.indexOf(LF, at);
    }
    this.add(chunk.subarray(at));
    return out;
  }

  /** The last line, when the stream does not end with a break. */
  end(): Line[] {
    return this.size > 0 ? [this.take()] : [];
  }

  private add(b: Buffer): void {
    if (!b.length) return;
    this.size += b.length;
    if (this.long) this.long.update(b);
    else if (this.size > MAX_LINE_BYTES) {
      this.long = createHash('sha256');
      for (const p of this.parts) this.long.update(p);
      this.long.update(b);
      this.head = Buffer.concat([...this.parts, b], REPORT_TEXT_BYTES);
      this.parts = [];
    } else this.parts.push(b);
  }

  private take(): Line {
    const out = this.long ? { size: this.size, sha256: this.long.digest('hex'), head: this.head as Buffer } : this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
    this.parts = [];
    this.size = 0;
    this.long = undefined;
    this.head = undefined;
    return out;
  }
}

type Line = Buffer | { size: number; sha256: string; head: Buffer };

/** A row as the parser gives it; `tooLong`: the record starting on `line` runs past MAX_LINE_BYTES, and the reading stops. */
type CsvRow = { line: number; fields: string[]; notUtf8: boolean; tooLong?: true };

async function* readCsv(input: NodeJS.ReadableStream, map: ColumnMap, bytes: () => number, delimiter: string): AsyncGenerator<ImportRecord> {
  const lines = new LineCounter();
  // Rows that are not valid CSV are skipped by the parser and reported here, in file order.
  const skipped: { line: number; error: string }[] = [];
  let lastSkip = 0;
  // Where the last record read ended: the next one starts on the first line after it with content
  // (or after the last row skipped, which may end later).
  let recordEnd = 0;
  let tooLong = false;
  const nextStart = () => Math.max(lines.firstLineFrom(recordEnd), lastSkip + 1);
  const options: Options<CsvRow, string[]> = {
    bom: true,
    delimiter,
    // Any of the three line endings, even mixed in one file (a header written apart from the rows).
    record_delimiter: ['\r\n', '\n', '\r'],
    skip_empty_lines: true,
    relax_column_count: true,
    // A quote that does not close its field where CSV says (`"x"y`) is kept as text: strict, the
    // parser stayed inside the field after refusing that row, and every row after it was lost
    // unreported (until 2026-12-05). A quote never closed still takes the rest of the file (below).
    relax_quotes: true,
    skip_records_with_error: true,
    max_record_size: MAX_LINE_BYTES,
    on_skip: (err) => {
      if (!err || tooLong) return undefined;
      const e = err as Error & { code?: string; bytes?: number };
      if (e.code === 'CSV_MAX_RECORD_SIZE') {
        // Said after the rows before it (in the parser's output, in order), then nothing more.
        tooLong = true;
        const row: CsvRow = { line: nextStart(), fields: [], notUtf8: false, tooLong: true };
        lines.stop();
        parser.push(row);
        return undefined;
      }
      // A quote never closed is found at the end of the file; the row it opened on is the culprit.
      const open = e.code === 'CSV_QUOTE_NOT_CLOSED';
      const line = open ? nextStart() : lines.lineAt(e.bytes ?? 0);
      const why = open ? 'a quoted field opened here is never closed, so every line after it, to the end of the file, was read into that field and none of them was imported: close the quote and import the file again with --restart (the lines stored before are recognised, not stored twice)' : e.message.replace(/ (at|on) line \d+/, '');
      // The parser may find a second fault in a row it already skips: one report for the line.
      if (line !== lastSkip) skipped.push({ line, error: `the row is not valid CSV (${why})` });
      lastSkip = line;
      return undefined;
    },
    // The parser's own line count is off after a quoted CRLF; the record's start line is counted
    // here instead: the line its last byte is on, less the line breaks inside its fields.
    on_record: (fields, info) => {
      // After a record too long the parser goes on from its middle: what it makes of it is no record.
      if (tooLong) return undefined as unknown as CsvRow;
      let end = info.bytes;
      const last = lines.byteBefore(end);
      if (last === LF || last === CR) end -= 1;
      if (last === LF && lines.byteBefore(end) === CR) end -= 1;
      const inside = fields.reduce((n, f) => n + countBreaks(f), 0);
      const line = lines.lineAt(end) - inside;
      recordEnd = info.bytes;
      return { line, fields, notUtf8: lines.faultIn(line, line + inside) };
    },
  };
  const parser = parse(options as unknown as Options);
  let header: string[] | undefined;
  const pending = (upTo: number) => (skipped.length && skipped[0].line < upTo ? skipped.shift() : undefined);
  for await (const row of pipeline(input, lines, parser, noop) as AsyncIterable<CsvRow>) {
    for (let s = pending(row.line); s; s = pending(row.line)) yield { line: s.line, bytes: bytes(), text: s.error, error: s.error, shown: null };
    if (row.tooLong) {
      const why = `runs past ${MAX_LINE_BYTES / 1024 / 1024} MB (a message may be at most 32 KB): most likely a quote opened in it is never closed, which makes every line after it part of one field`;
      if (!header) throw new Error(`The header (the record that starts on line ${row.line}) ${why}.`);
      const error = `the record that starts on this line ${why}; where it ends cannot be known, so the file is read no further`;
      yield { line: row.line, bytes: bytes(), text: error, error, stop: true, shown: null };
      return;
    }
    const text = JSON.stringify(row.fields);
    if (!header) {
      if (row.notUtf8) throw new Error(`The header (line ${row.line}) is not valid UTF-8: ${NOT_UTF8_HINT}.`);
      checkHeader(row.fields, map);
      header = row.fields;
      yield { line: row.line, bytes: bytes(), text, header: true };
      continue;
    }
    if (row.notUtf8) {
      yield { line: row.line, bytes: bytes(), text, error: `the row is not valid UTF-8: ${NOT_UTF8_HINT}` };
      continue;
    }
    if (row.fields.length !== header.length) {
      yield { line: row.line, bytes: bytes(), text, error: `the row has ${row.fields.length} field${row.fields.length === 1 ? '' : 's'} where the header has ${header.length} columns` };
      continue;
    }
    const record: Record<string, string> = {};
    header.forEach((name, i) => (record[name] = row.fields[i]));
    try {
      yield { line: row.line, bytes: bytes(), text, message: rowToMessage(record, map) };
    } catch (e) {
      yield { line: row.line, bytes: bytes(), text, error: (e as Error).message };
    }
  }
  // A file without a header has no rows either (the importer says it holds no messages), unless
  // its first line was not CSV.
  if (!header && skipped.length) throw new Error(`The header (line ${skipped[0].line}) ${skipped[0].error.replace(/^the row /, '')}.`);
  for (const s of skipped) yield { line: s.line, bytes: bytes(), text: s.error, error: s.error, shown: null };
}

const noop = () => {};
const CR = 0x0d;
const LF = 0x0a;

/** Line breaks in a field's text: CRLF, LF or a lone CR, each one. */
function countBreaks(s: string): number {
  return s.includes('\n') || s.includes('\r') ? (s.match(/\r\n|\r|\n/g) as string[]).length : 0;
}
