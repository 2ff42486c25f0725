import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { FAILS_IN_A_ROW, runBatch } from './batch-client.js';
import { DEFAULT_RETRY } from './webhook.js';
import { defaultServerUrl, serverUrl } from '../../cli/options.js';

/**
 * `tact decide-batch`: outbound decisions for an audience through a running server.
 *
 * @example
 * decideBatchCommand(program); // registers the command with commander
 */
export function decideBatchCommand(program: Command): void {
  program
    .command('decide-batch')
    .description('Decide for every subject of an audience (outbound campaigns) through a running Tact server.')
    .requiredOption('-p, --placement <id>', 'the placement to decide for (from the catalog)')
    .requiredOption('-a, --audience <cel>', 'CEL over each profile\'s facts, e.g. \'features.orders >= 1.0 && consent.Email\'')
    .option('-o, --out <file>', 'write the decisions here (.jsonl or .csv)')
    .option('-f, --format <format>', 'jsonl or csv (default: from --out, else jsonl)')
    .option('-w, --webhook <url>', 'POST the decisions to this URL in batches, with retries and backoff')
    .option('--webhook-batch <n>', 'decisions per webhook request', '100')
    .option('--retries <n>', 'webhook attempts (about 2 minutes of backoff) before a batch is written to the failed file', String(DEFAULT_RETRY.attempts))
    .option('--max-retry-after <seconds>', 'the longest Retry-After of the webhook to wait for; a longer one fails the batch', '300')
    .option('--limit <n>', 'at most this many subjects of the audience')
    .option('--max-actions <n>', 'stop after this many action choices (the campaign\'s own cap)')
    .option('--include-none', 'also write decisions whose choice is "none"')
    .option('--send-time', 'add sendAt (the subject\'s best hour of week, next occurrence) and its estimate (default: on when send time is configured, outbound channels)')
    .option('--no-send-time', 'leave out sendAt')
    .option('--context <json>', 'the decision context, as JSON', '{}')
    .option('-u, --url <url>', 'server URL (env TACT_URL)', defaultServerUrl(process.env))
    .option('-k, --key <key>', 'server key (env TACT_SERVER_KEY)', process.env.TACT_SERVER_KEY)
    .option('--no-progress', 'no progress (a bar on a terminal, else a line every 5 s on stderr)')
    .addHelpText('after', `
The same pipeline as POST /v1/decide runs for each subject (consent, caps, budgets, human
territory, review holds), and every decision is logged. Subjects are the live profiles as of a
checkpoint the server takes at the start. Ctrl-C (or SIGTERM) stops the run: the decisions
received are written to FILE.partial and the webhook batch in hand is delivered (or, after 5 s,
written to the failed file); a second Ctrl-C quits at once. A webhook that fails ${FAILS_IN_A_ROW}
batches in a row stops the run too (exit 2): further decisions would be logged, count against
caps and budgets, and reach no one.

Examples:
  tact decide-batch -p weekly-email -a 'features.orders >= 1.0' -o send.csv
  tact decide-batch -p weekly-email -a 'true' --webhook https://esp.example.com/hooks/tact --max-actions 5000`)
    .action(async (o: Record<string, string | boolean | undefined>) => {
      if (!o.key) throw new Error('A server key is needed: pass --key or set TACT_SERVER_KEY.');
      if (!o.out && !o.webhook) throw new Error('Say where the decisions go: --out FILE and/or --webhook URL.');
      const format = (o.format as string | undefined) ?? (typeof o.out === 'string' && /\.csv$/i.test(o.out) ? 'csv' : 'jsonl');
      if (format !== 'csv' && format !== 'jsonl') throw new Error('--format must be jsonl or csv.');
      let context: Record<string, unknown>;
      try {
        context = JSON.parse(o.context as string) as Record<string, unknown>;
      } catch {
        throw new Error('--context must be a JSON object.');
      }
      // A count that is not one would run the campaign wrong (NaN attempts deliver nothing; a NaN batch size sends all at once).
      const count = (name: string, v: unknown, min: number) => {
        if (v === undefined) return undefined;
        const n = Number(v);
        if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number of at least ${min}; got ${String(v)}.`);
        return n;
      };
      const url = serverUrl('--url', o.url as string);
      const webhookBatch = count('webhook-batch', o.webhookBatch, 1);
      const attempts = count('retries', o.retries, 1) as number;
      const limit = count('limit', o.limit, 1);
      const maxActions = count('max-actions', o.maxActions, 0);
      const maxRetryAfter = count('max-retry-after', o.maxRetryAfter, 0) as number;
      const bar = o.progress !== false && process.stderr.isTTY ? new SingleBar({ format: 'deciding {bar} {percentage}% | {scanned}/{total} profiles | {matched} in audience | {actions} actions | {eta_formatted} left', hideCursor: true }, Presets.shades_classic) : undefined;
      let shown = 0;
      const log = progressLines((t) => process.stderr.write(t));
      const stop = stopOnSignal(() => {
        bar?.stop();
        return `no more decisions are asked for; the ones received are written${o.webhook ? ' and the webhook batch in hand is delivered (at most 5 s more)' : ''}`;
      });
      let s: Awaited<ReturnType<typeof runBatch>>;
      try {
        s = await runBatch({
          url, key: o.key as string, placement: o.placement as string, audience: o.audience as string, context, signal: stop.signal,
          out: o.out as string | undefined, format, webhook: o.webhook as string | undefined, webhookBatch,
          retry: { ...DEFAULT_RETRY, attempts, maxRetryAfterMs: maxRetryAfter * 1000 }, limit, maxActions, includeNone: Boolean(o.includeNone),
          sendTime: typeof o.sendTime === 'boolean' ? o.sendTime : undefined,
          onProgress: (p) => {
            if (bar) {
              if (!shown) bar.start(Math.max(1, p.total), 0, p);
              bar.update(p.scanned, p);
            } else if (o.progress !== false) log(p);
            shown = Date.now();
          },
        });
      } catch (err) {
        stop.done();
        if (!stop.by) throw err;
        process.stderr.write(`Stopped by ${stop.by} before the server answered: no decision was received, and no file is left behind.\n`);
        process.exitCode = stop.exitCode;
        return;
      }
      stop.done();
      bar?.stop();
      process.stdout.write(`Decided for ${s.decided} of ${s.matched} subjects in the audience (${s.scanned} profiles scanned, stopped by ${s.stoppedBy === 'signal' ? stop.by : s.stoppedBy}): ${s.actions} actions; ${s.written} decisions written${o.out ? ` to ${s.partial ?? String(o.out)}` : ''}${o.webhook ? `, ${s.delivered} delivered, ${s.failed} undeliverable${s.failedPath ? ` (in ${s.failedPath})` : ''}` : ''}${s.errors ? `, ${s.errors} errors` : ''}; ${s.seconds.toFixed(1)} s.\n`);
      // (A signal that came only after the server's last line changes nothing: the run is complete.)
      if (stop.by && s.stoppedBy === 'signal') {
        process.stderr.write(`Stopped by ${stop.by}: ${s.written} decisions written${s.partial ? ` to ${s.partial} (kept; ${String(o.out)} is written only by a complete run)` : ''}${o.webhook ? `; ${s.delivered} delivered to the webhook${s.failed ? `, ${s.failed} not (listed in ${s.failedPath})` : ''}` : ''}. The rest of the audience was not decided for. To finish, run the same command again: it decides for the whole audience afresh (this run's file is then kept as its name plus .<time>), and the decisions already made are logged and count against contact caps and budgets.\n`);
        process.exitCode = stop.exitCode;
        return;
      }
      // Left out, not refused: a profile without the trait an audience reads is usually not in it — but a typo leaves everyone out.
      if (s.audienceErrors) process.stderr.write(`The audience could not be evaluated on ${s.audienceErrors} of the ${s.scanned} profiles scanned (left out; the first: ${s.audienceError ?? 'no reason given'}). A trait some profiles lack is read safely as has(traits.x) && traits.x == …\n`);
      if (s.error) process.stderr.write(`The run was interrupted (${s.error}): the decisions received are written${s.partial ? ` to ${s.partial}` : ''}; the rest of the audience was not decided for.\n`);
      if (s.failed || s.errors || s.error) process.exitCode = 2;
    });
}

/**
 * Progress where there is no terminal to draw a bar on (CI logs, `2> log`): a line on the first
 * report, then one every `everyMs`.
 *
 * @example
 * const log = progressLines((t) => process.stderr.write(t)); log({ scanned: 1000, total: 200_000, matched: 40, actions: 38 });
 */
export function progressLines(write: (text: string) => void, now: () => number = Date.now, everyMs = 5000): (p: { scanned: number; total: number; matched: number; actions: number }) => void {
  let shown = 0;
  return (p) => {
    // (Timed from the last line written: timed from the last report, frequent as they are, it wrote the first line only.)
    if (now() - shown <= everyMs) return;
    write(`… ${p.scanned}/${p.total} profiles, ${p.matched} in audience, ${p.actions} actions\n`);
    shown = now();
  };
}

/**
 * A first SIGINT or SIGTERM aborts `signal` (saying on stderr what happens now: `stopping()`);
 * a second one exits at once. `done()` takes the handlers off again. The exit code of a stop is
 * 128 + the signal's number, as a shell reports a process the signal killed.
 *
 * @example
 * const stop = stopOnSignal(() => 'finishing the line in progress'); await work(stop.signal); stop.done();
 */
export function stopOnSignal(stopping: () => string): { signal: AbortSignal; readonly by: NodeJS.Signals | undefined; readonly exitCode: number; done(): void } {
  const controller = new AbortController();
  let by: NodeJS.Signals | undefined;
  const code = (sig: NodeJS.Signals) => (sig === 'SIGTERM' ? 143 : 130);
  const on = (sig: NodeJS.Signals) => {
    if (by) process.exit(code(sig));
    by = sig;
    // In a pipeline (`… | tee log`, `2>&1 | tee log`) Ctrl-C also ends the reader of stdout (and
    // stderr): what is written there next fails with EPIPE, which must not turn a clean stop into a
    // crash (exit 1). Kept after `done()`: the error follows the summary written once the run is over.
    for (const stream of [process.stdout, process.stderr]) {
      stream.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EPIPE') throw err;
      });
    }
    process.stderr.write(`\n${sig}: stopping — ${stopping()}. ${sig === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'} again quits at once.\n`);
    controller.abort(sig);
  };
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
  return {
    signal: controller.signal,
    get by() {
      return by;
    },
    get exitCode() {
      return by ? code(by) : 0;
    },
    done() {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
    },
  };
}
