import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { pipeline, Transform, type TransformCallback } from 'node:stream';
import { parse, type Options } from 'csv-parse';
import { createGunzip } from 'node:zlib';
import { rowToMessage, type ColumnMap } from './column-map.js';

/** One line (or CSV record) of an import file: its 1-based number, the message, or why it is not one. */
export type ImportRecord = { line: number; bytes: number; message?: Record<string, unknown>; error?: string };

/**
 * Reads an import file record by record: JSONL (one Segment message per line) or CSV through a
 * column map. `.gz` files are read through gunzip. `bytes` is how far into the file the reader is
 * (for the progress bar). A CSV record is numbered by the line it starts on.
 */
export async function* readRecords(path: string, format: 'jsonl' | 'csv', map?: ColumnMap): AsyncGenerator<ImportRecord> {
  const file = createReadStream(path);
  let bytes = 0;
  file.on('data', (chunk) => (bytes += chunk.length));
  // Joined so that a read error (a .gz file cut short) ends the reading with its reason.
  const input = path.endsWith('.gz') ? pipeline(file, createGunzip(), noop) : file;
  if (format === 'jsonl') {
    let line = 0;
    for await (const raw of createInterface({ input, crlfDelay: Infinity })) {
      line += 1;
      // A byte order mark (editors on Windows write one) is not part of the first message.
      const text = line === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
      if (!text.trim()) continue;
      try {
        const v = JSON.parse(text) as unknown;
        if (v === null || typeof v !== 'object' || Array.isArray(v)) yield { line, bytes, error: 'the line is JSON but not an object' };
        else yield { line, bytes, message: v as Record<string, unknown> };
      } catch (e) {
        yield { line, bytes, error: `the line is not valid JSON (${(e as Error).message})` };
      }
    }
    return;
  }
  yield* readCsv(input, map as ColumnMap, () => bytes);
}

type CsvRow = { line: number; fields: string[] };

async function* readCsv(input: NodeJS.ReadableStream, map: ColumnMap, bytes: () => number): AsyncGenerator<ImportRecord> {
  const lines = new LineCounter();
  // Rows that are not valid CSV are skipped by the parser and reported here, in file order.
  const skipped: { line: number; error: string }[] = [];
  let lastSkip = 0;
  let nextLine = 1;
  const options: Options<CsvRow, string[]> = {
    bom: true,
    // Any of the three line endings, even mixed in one file (a header written apart from the rows).
    record_delimiter: ['\r\n', '\n', '\r'],
    skip_empty_lines: true,
    relax_column_count: true,
    skip_records_with_error: true,
    on_skip: (err) => {
      if (!err) return undefined;
      const e = err as Error & { code?: string; bytes?: number };
      // A quote never closed is found at the end of the file; the row it opened on is the culprit.
      const open = e.code === 'CSV_QUOTE_NOT_CLOSED';
      const line = open ? Math.max(nextLine, lastSkip + 1) : lines.lineAt(e.bytes ?? 0);
      const why = open ? 'a quoted field opened here is never closed' : e.message.replace(/ (at|on) line \d+/, '');
      // The parser may find a second fault in a row it already skips: one report for the line.
      if (line !== lastSkip) skipped.push({ line, error: `the row is not valid CSV (${why})` });
      lastSkip = line;
      return undefined;
    },
    // The parser's own line count is off after a quoted CRLF; the record's start line is counted
    // here instead: the line its last byte is on, less the line breaks inside its fields.
    on_record: (fields, info) => {
      let end = info.bytes;
      const last = lines.byteBefore(end);
      if (last === LF || last === CR) end -= 1;
      if (last === LF && lines.byteBefore(end) === CR) end -= 1;
      const inside = fields.reduce((n, f) => n + countBreaks(f), 0);
      const line = lines.lineAt(end) - inside;
      nextLine = lines.lineAt(info.bytes);
      return { line, fields };
    },
  };
  const parser = parse(options as unknown as Options);
  let header: string[] | undefined;
  const pending = (upTo: number) => (skipped.length && skipped[0].line < upTo ? skipped.shift() : undefined);
  for await (const row of pipeline(input, lines, parser, noop) as AsyncIterable<CsvRow>) {
    for (let s = pending(row.line); s; s = pending(row.line)) yield { line: s.line, bytes: bytes(), error: s.error };
    if (!header) {
      header = row.fields;
      continue;
    }
    if (row.fields.length !== header.length) {
      yield { line: row.line, bytes: bytes(), error: `the row has ${row.fields.length} field${row.fields.length === 1 ? '' : 's'} where the header has ${header.length} columns` };
      continue;
    }
    const record: Record<string, string> = {};
    header.forEach((name, i) => (record[name] = row.fields[i]));
    try {
      yield { line: row.line, bytes: bytes(), message: rowToMessage(record, map) };
    } catch (e) {
      yield { line: row.line, bytes: bytes(), error: (e as Error).message };
    }
  }
  for (const s of skipped) yield { line: s.line, bytes: bytes(), error: s.error };
}

const noop = () => {};
const CR = 0x0d;
const LF = 0x0a;

/** Line breaks in a field's text: CRLF, LF or a lone CR, each one. */
function countBreaks(s: string): number {
  return s.includes('\n') || s.includes('\r') ? (s.match(/\r\n|\r|\n/g) as string[]).length : 0;
}

/**
 * Passes the bytes through and answers which line a byte offset is on. Offsets are asked in
 * increasing order, so only the bytes not yet counted are kept.
 */
class LineCounter extends Transform {
  private chunks: Buffer[] = [];
  /** Offset of chunks[0][0], and of the counted position within it. */
  private base = 0;
  private at = 0;
  private breaks = 0;
  private prev = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.chunks.push(chunk);
    done(null, chunk);
  }

  /** The 1-based line the byte at `offset` is on. */
  lineAt(offset: number): number {
    while (this.at < offset && this.chunks.length) {
      const c = this.chunks[0];
      const stop = Math.min(offset - this.base, c.length);
      for (let i = this.at - this.base; i < stop; i++) {
        // A break is a CR, or an LF not right after a CR.
        if (c[i] === CR || (c[i] === LF && this.prev !== CR)) this.breaks += 1;
        this.prev = c[i];
      }
      this.at = this.base + stop;
      if (stop === c.length) {
        this.chunks.shift();
        this.base += c.length;
      }
    }
    return this.breaks + 1;
  }

  /** The byte just before `offset` (not yet counted), or undefined. */
  byteBefore(offset: number): number | undefined {
    let base = this.base;
    for (const c of this.chunks) {
      if (offset - 1 < base + c.length) return offset - 1 >= base ? c[offset - 1 - base] : undefined;
      base += c.length;
    }
    return undefined;
  }
}
