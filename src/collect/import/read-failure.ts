/**
 * The error an import stops with when its input cannot be read on (a .gz file cut short, a disk
 * error), naming the file, the last line read whole (`reached`) and what is saved: every line up
 * to `saved` imported, and for a file its progress, so that once the file is whole the same
 * command goes on from there. (Until 2026-12-05 a truncated .gz said only "unexpected end of file".)
 *
 * @example
 * readFailure('/data/cut.jsonl.gz', Object.assign(new Error('unexpected end of file'), { code: 'Z_BUF_ERROR' }), { reached: 1500, saved: 1000, stdin: false });
 * // '/data/cut.jsonl.gz cannot be read past line 1500: its gzip data ends there ("unexpected end of file") …'
 */
export function readFailure(path: string, err: unknown, o: { reached: number; saved: number; stdin: boolean }): Error {
  const where = o.reached ? `past line ${o.reached}` : 'to the end of its first line';
  const e = err as NodeJS.ErrnoException | undefined;
  // Damaged (not cut short): gzip checks its data only at its end, so the lines read before the
  // error may hold what the damage made of them (bad lines, or — by chance — JSON). Which line was
  // the last good one cannot be known, and the saved progress covers them: a whole copy goes in
  // again from the first line (until 2026-12-05 the sentence said the same command would go on).
  if (!o.stdin && o.saved > 0 && typeof e?.code === 'string' && e.code.startsWith('Z_') && e.code !== 'Z_BUF_ERROR') {
    return new Error(`${path} cannot be read ${where}: ${why(err)}. gzip finds damage only at the end of the data, so the lines read before it may hold what the damage made of them (bad lines in the report from where it begins). Replace the file with a whole copy and run the same command with --restart: the lines stored before are recognised, not stored twice.`, { cause: err });
  }
  const then = o.stdin
    ? `${o.saved ? `Every line up to line ${o.saved} is imported; no` : 'No'} progress is saved for stdin: send the whole input again once it can be read (the lines stored are recognised, not stored twice).`
    : o.saved
      ? `Every line up to line ${o.saved} is imported and that progress is saved: once the file is whole, run the same command again to go on from line ${o.saved + 1}.`
      : 'No line was imported: once the file is whole, run the same command again.';
  return new Error(`${path} cannot be read ${where}: ${why(err)}. ${then}`, { cause: err });
}

function why(err: unknown): string {
  const e = err as NodeJS.ErrnoException | undefined;
  const message = (e instanceof Error ? e.message : String(err)).replace(/\.$/, '');
  if (e?.code === 'Z_BUF_ERROR') return `its gzip data ends there ("${message}"): the file is cut short — still being written or copied, or a download that stopped`;
  if (typeof e?.code === 'string' && e.code.startsWith('Z_')) return `its gzip data is damaged ("${message}")`;
  return message;
}
