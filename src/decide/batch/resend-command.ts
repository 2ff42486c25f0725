import type { Command } from 'commander';
import { countFlag, retryFlags, webhookFlag } from './flags.js';
import { resendFailed } from './resend.js';
import { stopOnSignal } from './stop-on-signal.js';

/** The options of `tact decide-batch` that shape decisions: with `--resend`, which makes none, they are refused. */
const DECIDING: Record<string, string> = {
  placement: '--placement', audience: '--audience', out: '--out', format: '--format', limit: '--limit', maxActions: '--max-actions',
  includeNone: '--include-none', sendTime: '--send-time/--no-send-time', context: '--context',
};

/**
 * `tact decide-batch --resend FILE --webhook URL`: sends the decisions of a failed file again
 * ({@link resendFailed}) and says what it did; exit 2 when some are still undelivered, 130/143
 * when stopped by Ctrl-C/SIGTERM.
 *
 * @example
 * if (o.resend) return resendCommand(o, command);
 */
export async function resendCommand(o: Record<string, string | boolean | undefined>, cmd: Command): Promise<void> {
  const file = o.resend as string;
  const given = Object.keys(DECIDING).filter((k) => cmd.getOptionValueSource(k) === 'cli');
  if (given.length) throw new Error(`--resend sends the decisions of ${file} again and makes none: leave out ${given.map((k) => DECIDING[k]).join(', ')}.`);
  if (typeof o.webhook !== 'string') throw new Error(`--resend needs --webhook URL: where to send the decisions of ${file} again.`);
  const webhookBatch = countFlag('webhook-batch', o.webhookBatch, 1);
  const retry = retryFlags(o);
  const stop = stopOnSignal(() => 'the batch in hand is delivered (at most 5 s more); the rest are written, unsent, to the new failed file');
  let s: Awaited<ReturnType<typeof resendFailed>>;
  try {
    s = await resendFailed({ file, webhook: webhookFlag(o.webhook), webhookBatch, retry, signal: stop.signal });
  } finally {
    stop.done();
  }
  const still = s.failed ? `, ${s.failed} still undeliverable (in ${s.failedPath})` : '';
  process.stdout.write(`Resent ${s.read} decision${s.read === 1 ? '' : 's'} of ${file} in ${s.batches} batch${s.batches === 1 ? '' : 'es'}: ${s.delivered} delivered${still}; no decision was made, and ${file} is kept as it was; ${s.seconds.toFixed(1)} s.\n`);
  if (s.stoppedBy === 'signal') {
    process.stderr.write(`Stopped by ${stop.by}: the batches not delivered are in ${s.failedPath}; resend that file to go on.\n`);
    process.exitCode = stop.exitCode;
    return;
  }
  if (s.stoppedBy === 'webhook') process.stderr.write(`Stopped trying: ${s.error}; they are in ${s.failedPath}. Resend that file once the receiver is back.\n`);
  if (s.failed) process.exitCode = 2;
}
