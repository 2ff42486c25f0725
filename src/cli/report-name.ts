import { extname } from 'node:path';

/**
 * Refuses a `tact import --report` file whose extension says another form than the one the
 * report is written in, JSON lines (.jsonl or .ndjson): until 2026-12-06 `--report bad.csv` (or
 * `.txt`, or `.json`) silently held JSON lines.
 *
 * @example
 * checkReportName('bad.jsonl'); // nothing
 * checkReportName('bad.csv'); // throws '--report bad.csv: the report of bad lines is written as JSON lines (one bad line and its reason a line), which the extension .csv does not say; name it bad.jsonl.'
 */
export function checkReportName(path: string): void {
  const ext = extname(path);
  if (ext.toLowerCase() === '.jsonl' || ext.toLowerCase() === '.ndjson') return;
  const what = ext ? `the extension ${ext}` : 'a name without an extension';
  const named = ext ? `${path.slice(0, -ext.length)}.jsonl` : `${path}.jsonl`;
  throw new Error(`--report ${path}: the report of bad lines is written as JSON lines (one bad line and its reason a line), which ${what} does not say; name it ${named}.`);
}
