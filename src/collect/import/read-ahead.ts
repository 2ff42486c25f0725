import { inputFileProblem } from './input-file.js';
import type { ImportRecord } from './read-records.js';

/**
 * Reads `records` up to the first that is not a CSV header (once: stdin cannot be read again),
 * so that a header that does not fit the map, or a file without a message, is said before
 * anything is written or sent. A system error (the file gone or unreadable since it was checked)
 * is said by its code; a .gz file cut short or damaged is given to `failed` (the importer says it,
 * read-failure.ts), with the records read before it; what is wrong with the records after the
 * file's name.
 *
 * @example
 * const ahead = await readAhead(readRecords(path, 'csv', map), path, (err) => (readError = err));
 */
export async function readAhead(records: AsyncGenerator<ImportRecord>, path: string, failed: (err: unknown) => void): Promise<ImportRecord[]> {
  const ahead: ImportRecord[] = [];
  try {
    for (let r = await records.next(); !r.done; r = await records.next()) {
      ahead.push(r.value);
      if (!r.value.header) break;
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code && (err as NodeJS.ErrnoException).syscall) throw new Error(inputFileProblem(path, err), { cause: err });
    // Said by the importer, as an error reading on is (withAhead), once the report notes it.
    if (typeof code === 'string' && code.startsWith('Z_')) {
      failed(err);
      return ahead;
    }
    throw new Error(`${path}: ${(err as Error).message}`, { cause: err });
  }
  return ahead;
}

/**
 * The records read ahead, then the rest of `records`; stopping early ends the reading of the file.
 * An error reading on ends them too, given to `failed`: the importer says it once the lines read
 * before it are imported (an error of the importer's own, thrown in its loop, goes on as it is).
 */
export async function* withAhead(ahead: ImportRecord[], records: AsyncGenerator<ImportRecord>, failed: (err: unknown) => void): AsyncGenerator<ImportRecord> {
  try {
    yield* ahead;
    for (;;) {
      let r: IteratorResult<ImportRecord>;
      try {
        r = await records.next();
      } catch (err) {
        failed(err);
        return;
      }
      if (r.done) return;
      yield r.value;
    }
  } finally {
    await records.return(undefined);
  }
}
