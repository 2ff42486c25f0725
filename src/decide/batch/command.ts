import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { rmSync } from 'node:fs';
import { BatchRefused, FAILS_IN_A_ROW, runBatch } from './batch-client.js';
import { countFlag, retryFlags, webhookFlag } from './flags.js';
import { outFormat } from './out-format.js';
import { resendCommand } from './resend-command.js';
import { stopOnSignal } from './stop-on-signal.js';
import { DEFAULT_RETRY } from './webhook.js';
import { isStdout } from './writers.js';
import { defaultServerUrl, serverUrl } from '../../cli/options.js';

export { stopOnSignal } from './stop-on-signal.js';

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
    .option('-p, --placement <id>', 'the placement to decide for (from the catalog; required, but for --resend)')
    .option('-a, --audience <cel>', 'CEL over each profile\'s facts (traits, features, events, consent, lifecycle, flags, accounts, segments, estimates, microSegment), e.g. \'features.orders >= 1.0 && consent.Email\' or \'"churn_risk" in segments\' (required, but for --resend)')
    .option('-o, --out <file>', 'write the decisions here (.jsonl or .csv, or any name with --format; - for stdout, the summary then on stderr)')
    .option('-f, --format <format>', 'jsonl or csv (default: from the extension of --out, .jsonl or .csv, any other refused; jsonl for -)')
    .option('-w, --webhook <url>', 'POST the decisions to this URL in batches, with retries and backoff')
    .option('--webhook-batch <n>', 'decisions per webhook request (the server decides at most twice this many ahead of the webhook)', '100')
    .option('--attempts <n>', `webhook attempts in all for a batch before it is written to the failed file (default ${DEFAULT_RETRY.attempts}: about 2 minutes of backoff)`)
    .option('--retries <n>', `or: webhook retries after the first attempt (--retries 2 is --attempts 3; default ${DEFAULT_RETRY.attempts - 1})`)
    .option('--max-retry-after <seconds>', 'the longest Retry-After of the webhook to wait for; a longer one fails the batch', '300')
    .option('--limit <n>', 'at most this many subjects of the audience')
    .option('--max-actions <n>', 'stop after this many action choices (the campaign\'s own cap)')
    .option('--include-none', 'also write decisions whose choice is "none"')
    .option('--send-time', 'add sendAt (the subject\'s best hour of week, next occurrence) and its estimate (default: on when send time is configured, outbound channels)')
    .option('--no-send-time', 'leave out sendAt')
    .option('--context <json>', 'the decision context, as JSON', '{}')
    .option('-u, --url <url>', 'server URL (env TACT_URL)', defaultServerUrl(process.env))
    // (No default from the environment: commander would print it in --help, the key in plain text.)
    .option('-k, --key <key>', 'server key (env TACT_SERVER_KEY)')
    .option('--no-progress', 'no progress (a bar on a terminal, else a line every 5 s on stderr)')
    .option('--resend <failed-file>', 'decide nothing: send the decisions of a failed file (FILE.failed.jsonl) to --webhook again, as they were sent')
    .addHelpText('after', `
The same pipeline as POST /v1/decide runs for each subject (consent, caps, budgets, human
territory, review holds), and every decision is logged. Subjects are the live profiles as of a
checkpoint the server takes at the start. Ctrl-C (or SIGTERM) stops the run: the server decides
for no more subjects, every decision it made is read and written to FILE.partial (until 2026-12-05
those still on their way were lost), and the webhook batch in hand is delivered (or, after 5 s,
written to the failed file, as are the decisions not yet sent); a second Ctrl-C quits at once. A
webhook that fails ${FAILS_IN_A_ROW} batches in a row stops the run too (exit 2): further decisions
would be logged, count against caps and budgets, and reach no one.

Once the receiver is back, --resend FILE.failed.jsonl --webhook URL sends the undelivered
decisions again — the same decisions (decisionIds), batches and Idempotency-Keys, with the same
retries — and makes no decision (no server, --url or --key is needed). What still fails goes to
FILE.failed-2.jsonl (then -3, …; from a kept FILE.failed.jsonl.<time>, to FILE.failed-2.jsonl.<time>);
the file read is kept as it was.

--retries counts retries after the first attempt; until 2026-12-03 it counted attempts in all, so
a script passing --retries N now gets one retry more (--attempts N keeps the old meaning).

A CSV cell that starts with = + - @, a tab or a carriage return (a trait, an action name) gets a
single quote in front, so that a spreadsheet shows it as text instead of running it as a formula.

Exit status: 0 every subject of the audience decided for and every decision delivered (also when
the audience matched no one, which it says), 2 some decisions undeliverable (in the failed file),
some subjects not decided for, or the run interrupted, 130 stopped by Ctrl-C (143 by a TERM
signal), 1 an error (it says what): among them a --placement or --audience the server refuses,
and an --audience that could not be evaluated on any profile (e.g. a misspelt trait,
traits.teir == "gold"), which decides for no one.

Examples:
  tact decide-batch -p weekly-email -a 'features.orders >= 1.0' -o send.csv
  tact decide-batch -p weekly-email -a 'true' --webhook https://esp.example.com/hooks/tact --max-actions 5000
  tact decide-batch --resend send.csv.failed.jsonl --webhook https://esp.example.com/hooks/tact`)
    .action(async (o: Record<string, string | boolean | undefined>, cmd: Command) => {
      if (o.resend !== undefined) return resendCommand(o, cmd);
      if (!o.placement) throw new Error('--placement is required: the placement to decide for (or --resend FILE to send a failed file\'s decisions again).');
      if (!o.audience) throw new Error('--audience is required: CEL over each profile\'s facts, e.g. \'true\' for everyone.');
      const key = (o.key as string | undefined) || process.env.TACT_SERVER_KEY;
      if (!key) throw new Error('A server key is needed: pass --key or set TACT_SERVER_KEY.');
      if (!o.out && !o.webhook) throw new Error('Say where the decisions go: --out FILE and/or --webhook URL.');
      const format = outFormat(o.out as string | undefined, o.format as string | undefined);
      let context: unknown;
      try {
        context = JSON.parse(o.context as string);
      } catch {
        context = undefined;
      }
      // (An array, null or a string parses too, and is no context.)
      if (context === null || typeof context !== 'object' || Array.isArray(context)) throw new Error(`--context must be a JSON object, e.g. '{"channel":"email"}'; got ${String(o.context)}.`);
      const url = serverUrl('--url', o.url as string);
      const webhook = typeof o.webhook === 'string' ? webhookFlag(o.webhook) : undefined;
      const webhookBatch = countFlag('webhook-batch', o.webhookBatch, 1);
      const retry = retryFlags(o);
      const limit = countFlag('limit', o.limit, 1);
      const maxActions = countFlag('max-actions', o.maxActions, 0);
      const bar = o.progress !== false && process.stderr.isTTY ? new SingleBar({ format: 'deciding {bar} {percentage}% | {scanned}/{total} profiles | {matched} in audience | {actions} actions | {eta_formatted} left', hideCursor: true }, Presets.shades_classic) : undefined;
      const toBar = bar ? barProgress(bar) : () => undefined;
      const log = progressLines((t) => process.stderr.write(t));
      // The server reports every 1,000 profiles; a stall (a webhook retrying, a slow audience) would
      // otherwise show no line for minutes: the last report is said again, a line at least every 5 s.
      const ticker = !bar && o.progress !== false ? setInterval(() => log(), 500) : undefined;
      ticker?.unref();
      const stop = stopOnSignal(() => {
        bar?.stop();
        return `the server decides for no more subjects; every decision it made is read${o.out ? ' and written' : ''}${o.webhook ? ', and the webhook batch in hand is delivered (at most 5 s more)' : ''}`;
      });
      let s: Awaited<ReturnType<typeof runBatch>>;
      const startedAt = new Date().toISOString();
      try {
        s = await runBatch({
          url, key, placement: o.placement as string, audience: o.audience as string, context: context as Record<string, unknown>, signal: stop.signal,
          out: o.out as string | undefined, format, webhook, webhookBatch,
          retry, limit, maxActions, includeNone: Boolean(o.includeNone),
          sendTime: typeof o.sendTime === 'boolean' ? o.sendTime : undefined,
          onProgress: (p) => {
            if (bar) toBar(p);
            else if (o.progress !== false) log(p);
          },
        });
      } catch (err) {
        clearInterval(ticker);
        stop.done();
        bar?.stop(); // the error then goes on a line of its own, the cursor shown again
        if (!stop.by) throw err instanceof BatchRefused && err.status === 400 ? new Error(asFlags(err.reason), { cause: err }) : err;
        process.stderr.write(`Stopped by ${stop.by} before the server answered: no decision was received, and no file is left behind.\n`);
        process.exitCode = stop.exitCode;
        return;
      }
      clearInterval(ticker);
      stop.done();
      bar?.stop();
      if (!bar && o.progress !== false) log(s, true);
      if (s.earlierFailed) process.stderr.write(`An earlier run's undelivered decisions were in ${s.earlierFailed.path}: kept as ${s.earlierFailed.keptAs} (send them with --resend ${s.earlierFailed.keptAs} --webhook URL).\n`);
      const toStdout = typeof o.out === 'string' && isStdout(o.out);
      // A misspelt trait errs on every profile: no one is in the audience, and that is no campaign sent to no one.
      if (s.stoppedBy === 'end' && !s.errors && audienceFailed(s)) {
        if (typeof o.out === 'string' && !toStdout && s.written === 0) rmSync(o.out, { force: true });
        throw new Error(`The --audience could not be evaluated on any of the ${s.evaluated ?? s.scanned} profiles scanned, so no one was decided for (the first: ${s.audienceError ?? 'no reason given'}). A trait some profiles lack is read safely as has(traits.x) && traits.x == …`);
      }
      // Decisions written to stdout (-o - or /dev/stdout, piped on): what the command says goes to stderr.
      const say = toStdout ? process.stderr : process.stdout;
      say.write(`${decidedSaid(s, s.stoppedBy === 'signal' ? String(stop.by) : s.stoppedBy)}: ${s.actions} actions; ${decisionsSaid(s, o.out as string | undefined)}${o.webhook ? `, ${s.delivered} delivered, ${s.failed} undeliverable${s.failedPath ? ` (in ${s.failedPath})` : ''}` : ''}${s.errors ? `, ${s.errors} errors` : ''}; ${s.seconds.toFixed(1)} s.\n`);
      // Said first when stopped: the decisions the server made past the last line received are in no file.
      // (Until 2026-12-05 said only when a stop failed: a stream that broke off, the server killed, said nothing of them.)
      const listing = `GET /v1/decisions?placement=${encodeURIComponent(String(o.placement))}&from=${startedAt} lists the decisions at the placement since the run began.`;
      const unreceived = s.unreceived
        ? ` The server could not be asked to stop (${s.unreceived}), so the decisions it had made past the last one received are logged and count against caps and budgets, but are in no file: ${listing}`
        : s.brokeOff ? ` The server's stream broke off before its last line, so the decisions it had made past the last one received, if any, are logged and count against caps and budgets, but are in no file: ${listing}` : '';
      // (A signal that came only after the server's last line changes nothing: the run is complete.)
      if (stop.by && s.stoppedBy === 'signal') {
        process.stderr.write(`Stopped by ${stop.by}: ${decisionsSaid(s, o.out as string | undefined)}${s.partial ? ` (kept; ${String(o.out)} is written only by a complete run)` : ''}${o.webhook ? `; ${s.delivered} delivered to the webhook${s.failed ? `, ${s.failed} not (listed in ${s.failedPath})` : ''}` : ''}. ${unreceived ? `${unreceived.trim()} The` : 'Those are all the decisions the run made; the'} rest of the audience was not decided for. To finish, run the same command again: it decides for the whole audience afresh (this run's file is then kept as its name plus .<time>), and the decisions already made are logged and count against contact caps and budgets.\n`);
        process.exitCode = stop.exitCode;
        return;
      }
      if (s.stoppedBy === 'end' && !s.error && s.matched === 0 && s.scanned > 0 && !s.audienceErrors) process.stderr.write(`The audience matched none of the ${s.evaluated ?? s.scanned} profiles scanned: no decision was made.\n`);
      // Left out, not refused: a profile without the trait an audience reads is usually not in it.
      if (s.audienceErrors) process.stderr.write(`The audience could not be evaluated on ${s.audienceErrors} of the ${s.scanned} profiles scanned (left out; the first: ${s.audienceError ?? 'no reason given'}). A trait some profiles lack is read safely as has(traits.x) && traits.x == …\n`);
      const e = s.subjectErrors;
      if (e) process.stderr.write(`No decision was made for ${e.count} subject${e.count === 1 ? '' : 's'} (the first: profile ${e.profileId}: ${e.message}${e.errorId ? ` Error id ${e.errorId}, in the server log` : ''}).\n`);
      // The run ended before the stop asked for when the webhook was taken for down took effect (a small audience).
      if (s.webhookError && s.stoppedBy !== 'webhook') process.stderr.write(`The webhook was taken for down (${s.webhookError}): the decisions after were not tried, and are in ${s.failedPath}; send them with --resend ${s.failedPath} --webhook URL once the receiver is back.\n`);
      if (s.error) process.stderr.write(`The run was interrupted (${s.error}): ${s.partial ? `the decisions received are written to ${s.partial}` : o.webhook ? 'the decisions received are delivered or in the failed file' : 'the decisions received are written'}; the rest of the audience was not decided for.${unreceived}\n`);
      if (s.failed || s.errors || s.error) process.exitCode = 2;
    });
}

/**
 * What became of the decisions received, as the summary says it: written to the file, or — with
 * no `--out` — to no file (until 2026-12-05 it said "N decisions written" with nothing written).
 *
 * @example
 * decisionsSaid({ received: 295, written: 0 }, undefined); // '295 decisions received (no --out: none written to a file)'
 */
export function decisionsSaid(s: { received: number; written: number; partial?: string }, out: string | undefined): string {
  const n = (k: number) => `${k} decision${k === 1 ? '' : 's'}`;
  return out ? `${n(s.written)} written to ${s.partial ?? out}` : `${n(s.received)} received (no --out: none written to a file)`;
}

/**
 * How many subjects were decided for, as far as the run knows: of a run that went through the
 * audience (to its end, `--limit` or `--max-actions`), of the subjects in it; of one stopped early,
 * of those found so far, with how many of the profiles were scanned (until 2026-12-06 "3351 of 3351
 * subjects in the audience" for a run stopped a third of the way).
 *
 * @example
 * decidedSaid({ decided: 3351, matched: 3351, scanned: 4507, total: 10_000, stoppedBy: 'signal' }, 'SIGINT');
 * // 'Decided for 3351 of the 3351 subjects found in the audience so far (4507 of 10000 profiles scanned, stopped by SIGINT)'
 */
export function decidedSaid(s: { decided: number; matched: number; scanned: number; total: number; stoppedBy: string }, by: string): string {
  const through = s.stoppedBy === 'end' || s.stoppedBy === 'limit' || s.stoppedBy === 'maxActions';
  const of = through ? `${s.matched} subjects in the audience` : `the ${s.matched} subjects found in the audience so far`;
  return `Decided for ${s.decided} of ${of} (${s.scanned} of ${s.total} profiles scanned, stopped by ${by})`;
}

/**
 * The progress bar's updates: its value the profiles scanned, its figures a copy of the report as
 * it stood then — the report (the batch client's summary) changes with every decision received,
 * and the bar, drawing on a timer, showed its counts ahead of its percentage (QA: "22% |
 * 1430/4507 profiles").
 *
 * @example
 * const update = barProgress(new SingleBar({ format: '{percentage}% | {scanned}/{total}' })); update(report);
 */
export function barProgress(bar: { start(total: number, value: number, payload: object): void; update(value: number, payload: object): void }): (p: { scanned: number; total: number }) => void {
  let started = false;
  return (p) => {
    const now = { ...p };
    if (!started) bar.start(Math.max(1, now.total), 0, now);
    started = true;
    bar.update(now.scanned, now);
  };
}

/**
 * A sentence of the server's, naming the request's fields, as the command's options name them.
 *
 * @example
 * asFlags('The expression in `audience` is not valid CEL: …'); // 'The expression in `--audience` is not valid CEL: …'
 */
export function asFlags(reason: string): string {
  return reason.replace(/`(placement|audience|context|limit|maxActions|includeNone|sendTime)`/g, (_m, field: string) => `\`--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}\``);
}

/**
 * Whether the audience could be evaluated on none of the profiles (each one an error), as opposed
 * to one that matched no one. A server older than the `evaluated` count is read by `scanned`.
 *
 * @example
 * audienceFailed({ scanned: 12, evaluated: 12, matched: 0, audienceErrors: 12 }); // true
 */
export function audienceFailed(s: { scanned: number; evaluated?: number; matched: number; audienceErrors: number }): boolean {
  return s.matched === 0 && s.audienceErrors > 0 && s.audienceErrors >= (s.evaluated ?? s.scanned);
}

/**
 * Progress where there is no terminal to draw a bar on (CI logs, `2> log`): a line on the first
 * report, then one every `everyMs`. Called with no report (a timer's tick), it says the last one
 * again once `everyMs` passed without a line — as it stands then: the object reported is read
 * afresh (the batch client's summary, which counts decisions as they arrive). Called with `end`,
 * it says the final counts at once, "at the end": a run under 5 s said only its first report
 * ("… 0/5302 profiles, 0 in audience, 0 actions"), which read like its result.
 *
 * @example
 * const log = progressLines((t) => process.stderr.write(t)); log({ scanned: 1000, total: 200_000, matched: 40, actions: 38 });
 * setInterval(() => log(), 500); // a line at least every 5 s while the reports stall
 * log(summary, true); // '… at the end: 200000/200000 profiles, 8000 in audience, 7600 actions'
 */
export function progressLines(write: (text: string) => void, now: () => number = Date.now, everyMs = 5000): (p?: { scanned: number; total: number; matched: number; actions: number }, end?: boolean) => void {
  let shown = 0;
  let last: { scanned: number; total: number; matched: number; actions: number } | undefined;
  return (p, end = false) => {
    if (p) last = p;
    // (Timed from the last line written: timed from the last report, frequent as they are, it wrote the first line only.)
    if (!last || (!end && now() - shown <= everyMs)) return;
    write(`… ${end ? 'at the end: ' : ''}${last.scanned}/${last.total} profiles, ${last.matched} in audience, ${last.actions} ${last.actions === 1 ? 'action' : 'actions'}\n`);
    shown = now();
  };
}
