import { extname } from 'node:path';
import { isStdout } from './writers.js';

/** The forms `tact decide-batch` writes its decisions in. */
export type OutFormat = 'jsonl' | 'csv';

/** The extensions `--out` may end in without `--format`, and the form each means. */
const BY_EXTENSION: Readonly<Record<string, OutFormat>> = { '.jsonl': 'jsonl', '.ndjson': 'jsonl', '.csv': 'csv' };

/**
 * The form the decisions are written in: `--format` when given (whatever `--out` is named), else
 * told from the extension of `--out` (JSON lines for stdout, `-`). Any other extension is refused
 * in one line naming the option and the forms: until 2026-12-06 `-o send.txt` (or `.json`, or none)
 * silently wrote JSON lines.
 *
 * @example
 * outFormat('send.csv', undefined); // 'csv'
 * outFormat('send.txt', 'csv'); // 'csv'
 * outFormat('send.txt', undefined); // throws "--out send.txt: the form of the decisions cannot be told from the extension .txt; …"
 */
export function outFormat(out: string | undefined, format: string | undefined): OutFormat {
  if (format !== undefined) {
    if (format !== 'jsonl' && format !== 'csv') throw new Error(`--format must be jsonl or csv; got "${format}".`);
    return format;
  }
  if (out === undefined || isStdout(out)) return 'jsonl';
  const ext = extname(out).toLowerCase();
  const told = BY_EXTENSION[ext];
  if (told) return told;
  const what = ext ? `the extension ${ext}` : 'a name without an extension';
  throw new Error(`--out ${out}: the form of the decisions cannot be told from ${what}; name the file .jsonl (JSON lines) or .csv, or give --format jsonl or --format csv.`);
}
