import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { parseColumnMap } from '../collect/import/column-map.js';
import { runImport } from '../collect/import/importer.js';
import { defaultServerUrl, serverUrl, wholeNumber } from './options.js';

/** `tact import FILE`: bulk import through a running server, resumable, with a report of bad lines. */
export function importCommand(program: Command): void {
  program
    .command('import')
    .description('Import a JSONL (one Segment message per line) or CSV file into a running Tact server.')
    .argument('<file>', 'the file (.jsonl, .ndjson, .csv, optionally .gz)')
    .option('-f, --format <format>', 'jsonl or csv (default: from the file name)')
    .option('-m, --map <map>', 'CSV column map, e.g. "userId=customer_id,event=action,timestamp=at:date,properties.revenue=amount:number"')
    .option('-t, --type <type>', 'CSV: the message type of every row (track, identify, page, screen, group)', 'track')
    .option('--rest <where>', 'CSV: where unmapped columns go: properties, traits or ignore')
    .option('-u, --url <url>', 'server URL (env TACT_URL)', defaultServerUrl(process.env))
    .option('-k, --write-key <key>', 'write key (env TACT_WRITE_KEY)', process.env.TACT_WRITE_KEY)
    .option('-b, --batch <n>', 'messages per request (max 500)', '500')
    .option('-c, --concurrency <n>', 'requests in flight', '4')
    .option('-r, --report <file>', 'where to write bad lines with reasons (default FILE.rejected.jsonl)')
    .option('--state <file>', 'where progress is saved for resuming (default FILE.tact-import.json)')
    .option('--restart', 'ignore saved progress and start from the first line')
    .option('--no-progress', 'no progress bar')
    .addHelpText('after', `
Progress is saved in FILE.tact-import.json: run the same command again after an interruption and
it resumes after the last acknowledged line. Lines are checked exactly as the collection API
checks messages; every bad line goes to the report with its reason. A :date column takes
ISO-8601 times only (2026-03-05T10:00:00Z, or 2026-03-05; without an offset, UTC): 05/03/2026
is refused rather than guessed.

Examples:
  tact import events.jsonl --write-key $TACT_WRITE_KEY
  tact import orders.csv --map "userId=customer,event=kind,timestamp=at:date,properties.revenue=amount:number"`)
    .action(async (file: string, opts: Record<string, string | boolean | undefined>) => {
      if (!opts.writeKey) throw new Error('A write key is needed: pass --write-key or set TACT_WRITE_KEY.');
      const format = (opts.format as string | undefined) ?? (/\.csv(\.gz)?$/i.test(file) ? 'csv' : 'jsonl');
      if (format !== 'csv' && format !== 'jsonl') throw new Error('--format must be jsonl or csv.');
      const batchSize = wholeNumber('--batch', opts.batch as string, 1, 500);
      const concurrency = wholeNumber('--concurrency', opts.concurrency as string, 1);
      const url = serverUrl('--url', opts.url as string);
      await reachable(url);
      const map = format === 'csv' ? parseColumnMap(opts.map as string | undefined, opts.type as string, opts.rest as string | undefined) : undefined;
      const bar = opts.progress !== false && process.stderr.isTTY ? new SingleBar({ format: 'importing {bar} {percentage}% | {lines} lines | {accepted} stored | {rejected} rejected | {eta_formatted} left', hideCursor: true }, Presets.shades_classic) : undefined;
      let last = 0;
      const summary = await runImport({
        path: file,
        format,
        map,
        url,
        writeKey: opts.writeKey as string,
        batchSize,
        concurrency,
        reportPath: opts.report as string | undefined,
        statePath: opts.state as string | undefined,
        restart: Boolean(opts.restart),
        onProgress: (p) => {
          if (bar) {
            if (!last) bar.start(p.totalBytes, 0, p);
            bar.update(p.bytes, p);
          } else if (Date.now() - last > 5000) process.stderr.write(`… ${p.lines} lines, ${p.accepted} stored, ${p.rejected} rejected\n`);
          last = Date.now();
        },
      });
      bar?.update(summary.totalBytes, summary);
      bar?.stop();
      const rate = summary.seconds > 0 ? Math.round((summary.accepted - 0) / summary.seconds) : 0;
      process.stdout.write(`${summary.complete ? 'Imported' : 'Stopped at'} line ${summary.lines}${summary.resumedFrom ? ` (resumed after line ${summary.resumedFrom})` : ''}: ${summary.accepted} messages stored, ${summary.rejected} rejected${summary.rejected ? ` — reasons in ${summary.reportPath}` : ''}; ${summary.seconds.toFixed(1)} s, ${rate}/s.\n`);
      if (summary.rejected) process.exitCode = 2;
    });
}

/**
 * Fails at once when nothing answers at the server's address (or its host is unknown); the import
 * itself retries such failures for half a minute, which suits a server restarting mid-import, not
 * a wrong --url or a server never started.
 */
async function reachable(url: string): Promise<void> {
  try {
    await fetch(`${url}/health`, { signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    const code = ((err as Error).cause as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND') throw err;
  }
}
