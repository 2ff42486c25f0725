/**
 * Reading the evaluation datasets: gunzip with node:zlib and a small RFC 4180 field splitter
 * (quoted fields, doubled quotes). The only I/O in src/learn, used by the evaluations alone.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/** A parsed table: header names and rows of raw string fields. */
export interface Table {
  header: string[];
  rows: string[][];
  /** The file it was read from (readCsv), named by the errors of {@link column} and {@link numbers}. */
  source?: string;
}

/**
 * Splits one CSV line into fields (handles "quoted, fields" and "" escapes).
 *
 * @example
 * splitCsvLine('a,"b, c",d'); // ['a', 'b, c', 'd']
 */
export function splitCsvLine(line: string, delimiter = ','): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"') {
        if (line[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delimiter) {
      out.push(field);
      field = '';
    } else field += ch;
  }
  out.push(field);
  return out;
}

/**
 * Parses CSV text (first line = header; blank lines skipped; CRLF accepted).
 *
 * @example
 * parseCsv('x,y\n1,2\n'); // { header: ['x', 'y'], rows: [['1', '2']] }
 */
export function parseCsv(text: string, delimiter = ','): Table {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const [first, ...rest] = lines;
  return { header: splitCsvLine(first ?? '', delimiter), rows: rest.map((l) => splitCsvLine(l, delimiter)) };
}

/**
 * Reads a CSV file, gunzipping it when the name ends in .gz.
 *
 * @example
 * readCsv(join(ctx.datasetsDir, 'hillstrom/hillstrom.csv.gz'));
 */
export function readCsv(path: string, delimiter = ','): Table {
  const raw = readFileSync(path);
  const text = path.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  return { ...parseCsv(text, delimiter), source: path };
}

/**
 * Index of a column by name; throws a whole-sentence error when it is missing.
 *
 * @example
 * column({ header: ['a', 'b'], rows: [] }, 'b'); // 1
 */
export function column(table: Table, name: string): number {
  const i = table.header.indexOf(name);
  if (i < 0) throw new Error(`The column "${name}" is missing from ${where(table)}; its columns are: ${table.header.join(', ')}.`);
  return i;
}

/**
 * A column's values as numbers; throws a whole sentence naming the file, the line and the column
 * at the first cell that is no number (Number() would read it as NaN, or "" as 0, unsaid).
 *
 * @example
 * numbers({ header: ['x'], rows: [['1'], ['2.5']] }, 'x'); // [1, 2.5]
 */
export function numbers(table: Table, name: string): number[] {
  const c = column(table, name);
  return table.rows.map((r, i) => {
    const cell = r[c];
    const v = cell === undefined || cell.trim() === '' ? NaN : Number(cell);
    if (!Number.isFinite(v)) throw new Error(`The column "${name}" of ${where(table)} holds ${cell === undefined || cell === '' ? 'nothing' : JSON.stringify(cell)} on data line ${i + 1}, which is not a number.`);
    return v;
  });
}

const where = (t: Table) => (t.source ? t.source : 'the dataset');
