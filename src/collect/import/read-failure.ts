import type { Reported } from './report-entry.js';

/**
 * The line an input stops in, when it cannot be read on (read-records.ts): its number and what was
 * read of it, as a report shows it (`shown` null: nothing was, the input stopped at a line's end).
 */
export type CutLine = Reported & { line: number };

const CUT = Symbol('cut line');

/** `err`, carrying the line the reading stopped in (an error that is no object is wrapped in one). */
export function withCutLine(err: unknown, cut: CutLine): Error {
  const e = err instanceof Error ? err : new Error(String(err));
  (e as Error & { [CUT]?: CutLine })[CUT] = cut;
  return e;
}

/** The line a read error stopped in, when the reader said (JSONL); undefined otherwise (CSV). */
export function cutLineOf(err: unknown): CutLine | undefined {
  return err instanceof Error ? (err as Error & { [CUT]?: CutLine })[CUT] : undefined;
}

/**
 * The report's entry for where the reading stopped — after line `reached`, the last read whole —
 * so the report shows, beside the bad lines, the line that is not imported because the input ends
 * or is damaged in it: with what was read of it (JSONL), or `text` null when nothing was (the input
 * stopped at a line's end; a CSV file, whose parser keeps no part of a record).
 *
 * @example
 * readFailureEntry(Object.assign(new Error('unexpected end of file'), { code: 'Z_BUF_ERROR' }), 4);
 * // { entry: { line: 5, reason: 'the file cannot be read past line 4 …' }, rec: undefined }
 */
export function readFailureEntry(err: unknown, reached: number): { entry: { line: number; reason: string }; rec: Reported | undefined; cut: boolean } {
  const at = cutLineOf(err);
  const line = at?.line ?? reached + 1;
  const partial = at !== undefined && (at.shown !== null || at.text !== '');
  const past = reached ? `past line ${reached}` : 'to the end of its first line';
  const reason = partial
    ? `the line is cut short: the input cannot be read ${past} (${why(err)}), so this line was not imported (the part read is its text), nor anything after it`
    : `the input cannot be read ${past} (${why(err)}): nothing from here on was imported`;
  return { entry: { line, reason }, rec: partial ? at : undefined, cut: partial };
}

/**
 * The error an import stops with when its input cannot be read on (a .gz file cut short, a disk
 * error), naming the file, the last line read whole (`reached`), where the report notes the line
 * it stops in (`report`, readFailureEntry) and what is saved: every line up
 * to `saved` imported, and for a file its progress, so that once the file is whole the same
 * command goes on from there. (Until 2026-12-05 a truncated .gz said only "unexpected end of file".)
 *
 * @example
 * readFailure('/data/cut.jsonl.gz', Object.assign(new Error('unexpected end of file'), { code: 'Z_BUF_ERROR' }), { reached: 1500, saved: 1000, stdin: false });
 * // '/data/cut.jsonl.gz cannot be read past line 1500: its gzip data ends there ("unexpected end of file") …'
 */
export function readFailure(path: string, err: unknown, o: { reached: number; saved: number; stdin: boolean; report?: { path: string; line: number; cut: boolean } }): Error {
  const where = o.reached ? `past line ${o.reached}` : 'to the end of its first line';
  const e = err as NodeJS.ErrnoException | undefined;
  // Where the report says so (the importer writes the entry readFailureEntry gives).
  const reported = !o.report ? ''
    : o.report.cut ? ` Line ${o.report.line} is cut short there: it is not imported, and what was read of it is in ${o.report.path}.`
      : ` ${o.report.path} notes where it stops (line ${o.report.line}).`;
  // Damaged (not cut short): gzip checks its data only at its end, so the lines read before the
  // error may hold what the damage made of them (bad lines, or — by chance — JSON). Which line was
  // the last good one cannot be known, and the saved progress covers them: a whole copy goes in
  // again from the first line (until 2026-12-05 the sentence said the same command would go on).
  if (!o.stdin && o.saved > 0 && typeof e?.code === 'string' && e.code.startsWith('Z_') && e.code !== 'Z_BUF_ERROR') {
    return new Error(`${path} cannot be read ${where}: ${why(err)}.${reported} gzip finds damage only at the end of the data, so the lines read before it may hold what the damage made of them (bad lines in the report from where it begins). Replace the file with a whole copy and run the same command with --restart: the lines stored before are recognised, not stored twice.`, { cause: err });
  }
  const then = o.stdin
    ? `${o.saved ? `Every line up to line ${o.saved} is imported; no` : 'No'} progress is saved for stdin: send the whole input again once it can be read (the lines stored are recognised, not stored twice).`
    : o.saved
      ? `Every line up to line ${o.saved} is imported and that progress is saved: once the file is whole, run the same command again to go on from line ${o.saved + 1}.`
      : 'No line was imported: once the file is whole, run the same command again.';
  return new Error(`${path} cannot be read ${where}: ${why(err)}.${reported} ${then}`, { cause: err });
}

function why(err: unknown): string {
  const e = err as NodeJS.ErrnoException | undefined;
  const message = (e instanceof Error ? e.message : String(err)).replace(/\.$/, '');
  if (e?.code === 'Z_BUF_ERROR') return `its gzip data ends there ("${message}"): the file is cut short — still being written or copied, or a download that stopped`;
  if (typeof e?.code === 'string' && e.code.startsWith('Z_')) return `its gzip data is damaged ("${message}")`;
  return message;
}
