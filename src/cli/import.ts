import { Presets, SingleBar } from 'cli-progress';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { parseColumnMap } from '../collect/import/column-map.js';
import type { ImportProgress } from '../collect/import/importer.js';
import { checkImportFiles } from '../collect/import/import-files.js';
import { checkInputFile } from '../collect/import/input-file.js';
import { reachable } from '../collect/import/reachable.js';
import { stopOnSignal } from '../decide/batch/stop-on-signal.js';
import { defaultServerUrl, serverUrl, wholeNumber } from './options.js';
import { checkReportName } from './report-name.js';

/** `tact import FILE`: bulk import through a running server, resumable, with a report of bad lines. */
export function importCommand(program: Command): void {
  program
    .command('import')
    .description('Import a JSONL (one Segment message per line), CSV or TSV file into a running Tact server.')
    .argument('<file>', 'the file (.jsonl, .ndjson, .csv, .tsv, optionally .gz), or - to read stdin')
    .option('-f, --format <format>', 'jsonl, csv or tsv (default: from the file name; jsonl for -)')
    .option('-d, --delimiter <char>', 'CSV: the character between fields, e.g. \';\' or \'\\t\' (or tab) for a tab (default: a tab for .tsv and --format tsv, else a comma)')
    .option('-m, --map <map>', 'CSV column map: field=column[:number|boolean|json|date|string], comma-separated, e.g. "userId=customer_id,event=action,timestamp=at:date,properties.revenue=amount:number"')
    .option('-t, --type <type>', 'CSV: the message type of every row (track, identify, page, screen, group, alias)', 'track')
    .option('--rest <where>', 'CSV: where unmapped columns go: properties, traits or ignore (default: traits for identify and group, else properties)')
    .option('-u, --url <url>', 'server URL (env TACT_URL)', defaultServerUrl(process.env))
    // (No default from the environment: commander would print it in --help, the key in plain text.)
    .option('-k, --write-key <key>', 'write key (env TACT_WRITE_KEY)')
    .option('-b, --batch <n>', 'messages per request (max 500)', '500')
    .option('-c, --concurrency <n>', 'requests in flight', '4')
    .option('-r, --report <file>', 'where to write bad lines with reasons, as JSON lines: a .jsonl file (default FILE.rejected.jsonl; for stdin stdin-TIME.rejected.jsonl)')
    .option('--state <file>', 'where progress is saved for resuming (default FILE.tact-import.json)')
    .option('--restart', 'ignore saved progress and start from the first line')
    .option('--no-progress', 'no progress (a bar on a terminal, else a line every 5 s on stderr)')
    .addHelpText('after', `
The import goes through the server's batch API (it never opens the store itself), so it runs
beside a serving Tact and checks lines exactly as the collection API checks messages, 32 KB
measured on the message as sent (with the messageId it gives a line without one); every bad
line goes to the report with its reason and its text, up to 64 KB (a line that is not UTF-8
or is over 1 MB is one; a file with a UTF-16 byte order mark is read as UTF-16). No report is
left when no line is bad. --report and --state must name files other than FILE and each other.
A CSV record that runs past 1 MB (most likely a quote never closed) stops the import there,
naming its line: the lines before it are imported, and once it is mended the same command goes
on from it. A CSV file's header must name every mapped column, once. A :date column takes
ISO-8601 times only (2026-03-05T10:00:00Z, or 2026-03-05; without an offset, UTC): 05/03/2026
is refused rather than guessed. A file without a message (empty, blank lines, a header only)
is refused.

A TSV file (.tsv, or --format tsv) is read as CSV with a tab between fields, through the same
--map; --delimiter reads any other one-character separator (';' as spreadsheets set to a decimal
comma write). A - for the file reads stdin (JSONL unless --format says otherwise; not gzip:
pipe it through zcat): it is read once, as it comes, so no progress is saved and --state and
--restart do not apply; bad lines go to a report of the run's own, stdin-TIME.rejected.jsonl
(UTC: stdin-20261205T134012Z.rejected.jsonl), or --report. Sent again, the same input is
recognised line by line and not stored twice (a line without a messageId by its content and
line number, and without a timestamp by the lines before it too: see docs/collection.md).

Progress is saved in FILE.tact-import.json: after an interruption (Ctrl-C stops once the batches
sent are answered), run the same command again and it resumes after the last acknowledged line;
run it again after the file was appended to and only the new lines are sent. A file whose
imported lines changed since, other --format/--map/--type/--rest, or another --url (progress
is a server's), is refused: --restart
imports it from the first line (a line sent before unchanged is recognised, not stored twice:
the summary counts such lines as "already stored").

A batch the server fails (5xx, 429, no answer) is sent again with backoff for about half a
minute, then the import stops there (exit 1; run it again to resume).
The file is checked first (there, a file, readable), then the server: a --url nothing can answer
at (connection refused, unknown host, no route, http:// to an HTTPS server or the reverse, an
untrusted certificate, something that is not HTTP) is said at once, not retried.

Exit status: 0 every line stored, 2 some lines rejected (see the report), 130 stopped by
Ctrl-C (143 by a TERM signal; resumable), 1 an error (it says what; a CSV record over 1 MB
is one, and so is a .gz file cut short: the lines before are imported, and once the file is
whole the same command goes on).

Examples:
  TACT_WRITE_KEY=… tact import events.jsonl   (the key from the environment: a --write-key on the
                                             command line shows in ps and the shell's history)
  tact import orders.csv --map "userId=customer,event=kind,timestamp=at:date,properties.revenue=amount:number"
  tact import orders.tsv --map "userId=customer,event=kind"
  zcat events.jsonl.gz | tact import -`)
    .action(async (file: string, opts: Record<string, string | boolean | undefined>, cmd: Command) => {
      const stdin = file === '-';
      if (stdin && (opts.state !== undefined || opts.restart)) throw new Error('The --state and --restart options apply to a file: an import from stdin (-) is read once and saves no progress (send the same input again and the lines stored are recognised, not stored twice).');
      const named = (opts.format as string | undefined) ?? (stdin ? 'jsonl' : /\.tsv(\.gz)?$/i.test(file) ? 'tsv' : /\.csv(\.gz)?$/i.test(file) ? 'csv' : 'jsonl');
      if (named !== 'csv' && named !== 'tsv' && named !== 'jsonl') throw new Error(`The --format "${named}" must be jsonl, csv or tsv.`);
      const format = named === 'jsonl' ? 'jsonl' : 'csv';
      const batchSize = wholeNumber('--batch', opts.batch as string, 1, 500);
      const concurrency = wholeNumber('--concurrency', opts.concurrency as string, 1);
      const url = serverUrl('--url', opts.url as string);
      // (--type has a default: only a --type given is refused, not the default one.)
      if (format === 'jsonl' && (opts.map !== undefined || opts.rest !== undefined || opts.delimiter !== undefined || cmd.getOptionValueSource('type') === 'cli')) throw new Error('The --map, --type, --rest and --delimiter options apply to CSV and TSV files; this file is read as JSONL (pass --format csv or --format tsv if it is one).');
      const delimiter = opts.delimiter !== undefined ? delimiterOption(opts.delimiter as string) : named === 'tsv' ? '\t' : ',';
      const map = format === 'csv' ? parseColumnMap(opts.map as string | undefined, opts.type as string, opts.rest as string | undefined) : undefined;
      // The file first: a missing one was said only once the server answered.
      if (!stdin) checkInputFile(resolve(file));
      // A folder as either was said only when it was first written, batches already stored.
      for (const name of ['report', 'state'] as const) if (opts[name] !== undefined) notAFolder(`--${name}`, opts[name] as string);
      // Until 2026-12-05 a --report or --state naming the file imported deleted or overwrote it, exit 0.
      checkImportFiles({ path: stdin ? undefined : resolve(file), stdinFd: stdin ? 0 : undefined, reportPath: opts.report as string | undefined, statePath: opts.state as string | undefined });
      if (opts.report !== undefined) checkReportName(opts.report as string);
      // After the command line and the file: a typo there is said before the key is asked for.
      const writeKey = (opts.writeKey as string | undefined) || process.env.TACT_WRITE_KEY;
      if (!writeKey) throw new Error('A write key is needed: pass --write-key or set TACT_WRITE_KEY.');
      await reachable(url);
      // (Read from stdin, the size is not known: no bar to fill, the lines every 5 s instead.)
      const bar = opts.progress !== false && process.stderr.isTTY && !stdin ? new SingleBar({ format: 'importing {bar} {percentage}% | {lines} lines | {stored} stored | {duplicates} already stored | {rejected} rejected | {left} left', hideCursor: true }, Presets.shades_classic) : undefined;
      // (The time left is the bar's own: cli-progress's {eta_formatted} shows "LLs" or "NFs" — NULL
      // and INF cut to two letters — once the file is read and the last batches are answered.)
      let started = false;
      const t0 = performance.now();
      const fields = (p: ImportProgress) => ({ ...barCounts(p), left: timeLeft(p, (performance.now() - t0) / 1000) });
      const lines = everyFiveSeconds((p: ImportProgress) => process.stderr.write(`… ${p.lines} ${p.lines === 1 ? 'line' : 'lines'}, ${countsText(p)}\n`));
      // Ctrl-C (or a TERM) stops reading and waits for the batches sent, so the progress saved is
      // as far as the server got; a second one stops at once (the progress saved still holds). Also
      // when Ctrl-C ended the program reading stdout (`| tee log`): the summary then is not a crash.
      const stop = stopOnSignal(() => {
        bar?.stop();
        return 'no more lines are sent; once the batches sent are answered the progress is saved (the import resumes either way)';
      });
      // Loaded when an import runs: registering the command (`--help` included) does not load the importer.
      const { runImport } = await import('../collect/import/importer.js');
      const summary = await runImport({
        path: file,
        ...(stdin ? { input: process.stdin } : {}),
        format,
        map,
        delimiter,
        url,
        writeKey,
        batchSize,
        concurrency,
        reportPath: opts.report as string | undefined,
        statePath: opts.state as string | undefined,
        restart: Boolean(opts.restart),
        signal: stop.signal,
        onProgress: (p) => {
          if (stop.signal.aborted) return;
          if (bar) {
            if (!started) bar.start(p.totalBytes, 0, fields(p));
            started = true;
            bar.update(p.bytes, fields(p));
          } else if (opts.progress !== false) lines(p);
        },
      }).catch((err: unknown) => {
        bar?.stop(); // the error then goes on a line of its own, the cursor shown again
        throw err;
      }).finally(() => stop.done());
      if (summary.complete) bar?.update(summary.totalBytes, { ...fields(summary), left: '0s' });
      bar?.stop();
      const rate = summary.seconds > 0 ? Math.round(summary.acceptedNow / summary.seconds) : 0;
      process.stdout.write(`${summary.complete ? 'Imported' : 'Stopped at'} line ${summary.lines}${summary.resumedFrom ? ` (resumed after line ${summary.resumedFrom})` : ''}: ${countsText(summary)}${summary.rejected ? ` — reasons in ${summary.reportPath}` : ''}; ${summary.seconds.toFixed(1)} s, ${rate}/s.${summary.complete ? '' : stdin ? ' Send the same input again to go on: the lines stored are recognised, not stored twice.' : ' Run the same command again to resume.'}${nothingSent(summary) ? ' Nothing was sent now: an earlier run to this URL imported every line (its progress file says so); --restart sends the file again.' : ''}\n`);
      if (!summary.complete) process.exitCode = stop.exitCode;
      else if (summary.rejected) process.exitCode = 2;
    });
}

/** Refuses `path`, given as `name`, when it is a folder (a file of that name is made or replaced). */
function notAFolder(name: string, path: string): void {
  if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`The ${name} "${path}" is a folder, not a file: name the file itself.`);
}

/**
 * The --delimiter: one character that can separate fields (`\t` or `tab` for a tab, as a shell
 * passes them), else refused naming it.
 */
function delimiterOption(value: string): string {
  const d = value === '\\t' || value.toLowerCase() === 'tab' ? '\t' : value;
  if ([...d].length !== 1 || d === '"' || d === '\n' || d === '\r') throw new Error(`The --delimiter ${JSON.stringify(value)} must be one character that is not a quote or a line break, e.g. ';' or '\\t' (a tab).`);
  return d;
}

/**
 * The counts as said: the messages stored, those the server had stored already (sent before, by
 * a run this one resumed or restarted; a server that does not say which is said not to), rejected.
 */
const messages = (n: number) => `${n} ${n === 1 ? 'message' : 'messages'}`;

function countsText(p: ImportProgress): string {
  const stored = p.duplicates === null
    ? `${messages(p.accepted)} stored or already stored (the server did not say which)`
    : `${messages(p.accepted - p.duplicates)} stored${p.duplicates ? `, ${p.duplicates} already stored (sent before: not stored again)` : ''}`;
  return `${stored}, ${p.rejected} rejected`;
}

/**
 * Progress where there is no terminal to draw a bar on (CI logs, `2> log`): `write` on the first
 * report, then on the first report more than 5 s after the line before (timed from the last line
 * written: timed from the last report, as frequent as batches are answered, it wrote the first only).
 */
function everyFiveSeconds<T>(write: (p: T) => void): (p: T) => void {
  let shown: number | undefined;
  return (p) => {
    if (shown !== undefined && Date.now() - shown <= 5000) return;
    write(p);
    shown = Date.now();
  };
}

/**
 * The time left at the rate the file was read so far (`elapsed` seconds; in bytes, what was read
 * is answered soon after), as 45s, 3m05s or 1h02m.
 */
function timeLeft(p: ImportProgress, elapsed: number): string {
  const s = p.bytes > 0 ? Math.ceil((elapsed * Math.max(0, p.totalBytes - p.bytes)) / p.bytes) : 0;
  const two = (n: number) => String(n).padStart(2, '0');
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${two(s % 60)}s`;
  return `${Math.floor(s / 3600)}h${two(Math.floor((s % 3600) / 60))}m`;
}

/** The progress bar's fields. */
function barCounts(p: ImportProgress): Omit<ImportProgress, 'duplicates'> & { stored: number; duplicates: number | string } {
  return { ...p, stored: p.accepted - (p.duplicates ?? 0), duplicates: p.duplicates ?? '?' };
}

/**
 * A run that resumed at the file's end and sent nothing: the counts are the earlier runs' (QA
 * 2026-12-06: the same URL backed by a fresh data folder read "300 messages stored" and sent none).
 */
function nothingSent(s: { complete: boolean; resumedFrom: number; lines: number; acceptedNow: number }): boolean {
  return s.complete && s.resumedFrom > 0 && s.resumedFrom === s.lines && s.acceptedNow === 0;
}
