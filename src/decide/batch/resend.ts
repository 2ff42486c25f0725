import { createReadStream, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { basename, dirname, join } from 'node:path';
import type { RetryPolicy } from './webhook.js';
import { webhookSender } from './webhook-sender.js';

/** Options of {@link resendFailed}. */
export interface ResendOptions {
  /** The failed file to send again (as `tact decide-batch` wrote it). */
  file: string;
  webhook: string;
  /** Decisions per request for lines that carry no batch key (files written before 2026-12-03; default 100). */
  webhookBatch?: number;
  retry?: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
  /** Stops the resend: the batch in hand gets `graceMs` (default 5 s), the rest go to the new failed file untried. */
  signal?: AbortSignal;
  graceMs?: number;
}

/** What a resend did. */
export interface ResendSummary {
  /** Decisions read from the file, and the batches they were sent in. */
  read: number;
  batches: number;
  delivered: number;
  failed: number;
  /** Where the decisions still undelivered were written (absent when every one was taken). */
  failedPath?: string;
  /** `end`, `webhook` (it failed 3 batches in a row; the rest were not tried) or `signal`. */
  stoppedBy: 'end' | 'webhook' | 'signal';
  error?: string;
  seconds: number;
}

/** A decision of a failed file, as it was sent, and the batch key it failed under (if the file has one). */
interface Failed {
  placement: string;
  key?: string;
  sent: { decision: { decisionId: string; placement: string } };
}

/**
 * `tact decide-batch --resend FILE`: sends the decisions of a failed file to the webhook again,
 * exactly as they were sent — the same bodies, in the same batches under the same Idempotency-Keys
 * (for files that record them), so a receiver that took one after all can drop it — with the same
 * retries and backoff as a run. No decision is made: the server is not asked. What still fails
 * goes to a new failed file ({@link nextFailedPath}); the file read is left as it was. A file with
 * a line that is not a decision is refused before anything is sent. The file is read line by line,
 * twice (to check it, then to send it), so that a failed file of any size is resent in the memory
 * of a batch.
 *
 * @example
 * const s = await resendFailed({ file: 'send.csv.failed.jsonl', webhook: 'https://esp.example.com/hooks/tact' });
 * // { read: 300, batches: 3, delivered: 300, failed: 0, stoppedBy: 'end', … }
 */
export async function resendFailed(o: ResendOptions): Promise<ResendSummary> {
  const started = performance.now();
  const size = o.webhookBatch ?? 100;
  // Read through once before anything is sent: a line that is not a decision is said first.
  let lines = 0;
  for await (const b of failedBatches(o.file, size)) lines = b.last;
  const failedPath = nextFailedPath(o.file);
  // Started afresh: an earlier resend of this same file wrote there what this one is about to try again.
  rmSync(failedPath, { force: true });
  const sender = webhookSender({ webhook: o.webhook, retry: o.retry, failedPath, sleep: o.sleep, signal: o.signal, graceMs: o.graceMs });
  let read = 0;
  let batches = 0;
  try {
    for await (const b of failedBatches(o.file, size, lines)) {
      if (!b.batch.length) continue;
      // Once stopped, only the batch in hand is delivered: the rest are kept, untried, in the new file.
      const stopped = o.signal?.aborted ? `stopped by ${String(o.signal.reason)}: not sent` : undefined;
      await sender.send(b.batch[0].placement, b.batch.map((f) => f.sent), stopped);
      read += b.batch.length;
      batches += 1;
    }
  } finally {
    sender.close();
  }
  const { delivered, failed, downError } = sender.counts;
  // (A signal during the last batch, which the webhook then took, changes nothing: the resend is complete.)
  const stoppedBy = o.signal?.aborted && failed ? 'signal' : downError ? 'webhook' : 'end';
  return {
    read, batches, delivered, failed,
    ...(sender.counts.failedPath ? { failedPath } : {}),
    stoppedBy,
    ...(stoppedBy === 'signal' ? { error: `stopped by ${String(o.signal?.reason)}` } : downError ? { error: `${downError}: the batches after it were not tried` } : {}),
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * Where a resend of `file` writes what still fails: `….failed.jsonl` becomes `….failed-2.jsonl`,
 * `….failed-2.jsonl` `….failed-3.jsonl`; a failed file an earlier run left, kept under its time
 * (`….failed.jsonl.2026-12-04T03-20-00-000Z`, moveAside in writers.ts), keeps it after the number
 * (`….failed-2.jsonl.2026-12-04T03-20-00-000Z`), so that its resend's file is not the one a
 * resend of the newer failed file writes (until 2026-12-05 it became `….Z.failed.jsonl`); any
 * other name gets `.failed.jsonl` added — never the file read, so that nothing in it is lost
 * whatever happens to the resend.
 *
 * @example
 * nextFailedPath('send.csv.failed.jsonl') // 'send.csv.failed-2.jsonl'
 * @example
 * nextFailedPath('decide-batch.failed.jsonl.2026-12-04T03-20-00-000Z') // 'decide-batch.failed-2.jsonl.2026-12-04T03-20-00-000Z'
 */
export function nextFailedPath(file: string): string {
  const m = /^(.*)failed(?:-(\d+))?\.jsonl(\.\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z)?$/.exec(basename(file));
  return join(dirname(file), m ? `${m[1]}failed-${Number(m[2] ?? 1) + 1}.jsonl${m[3] ?? ''}` : `${basename(file)}.failed.jsonl`);
}

/**
 * The batches of a failed file, one at a time, with the number of the last line read: lines that
 * failed in one batch (the same key, one after the other) together; lines without a key, `size` at
 * a time. Read up to line `upTo` when given (the lines checked before sending). The last batch
 * may be empty (a file ending in blank lines): it says how many lines there are.
 */
async function* failedBatches(file: string, size: number, upTo = Infinity): AsyncGenerator<{ batch: Failed[]; last: number }> {
  let batch: Failed[] = [];
  let n = 0;
  for await (const line of linesOf(file)) {
    if (++n > upTo) break;
    if (!line.trim()) continue;
    const f = failedLine(line);
    if (!f) throw new Error(`Line ${n} of ${file} is not a decision of a failed file (a JSON object with decision.decisionId and decision.placement): ${upTo === Infinity ? 'nothing was sent' : 'it changed while the file was resent; the batches before it were sent'}.`);
    const last = batch[0];
    const same = last && last.placement === f.placement && (f.key !== undefined ? last.key === f.key : last.key === undefined && batch.length < size);
    if (same) batch.push(f);
    else {
      if (batch.length) yield { batch, last: n - 1 };
      batch = [f];
    }
  }
  if (batch.length || n) yield { batch, last: Math.min(n, upTo) };
}

/** The lines of `file`, read a buffer (64 KiB) at a time: only the line in hand is held. */
async function* linesOf(file: string): AsyncGenerator<string> {
  const input = createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  try {
    yield* lines;
  } catch (err) {
    throw new Error(resendFileProblem(file, err), { cause: err });
  } finally {
    lines.close();
    input.destroy();
  }
}

/**
 * The sentence for an error met opening or reading the failed file given to `--resend`: one that
 * names the option and the file, by the system error's code (the raw "ENOENT: no such file or
 * directory, open …" or "EISDIR: illegal operation on a directory, read" said it twice, or not at all).
 *
 * @example
 * resendFileProblem('send.failed.jsonl', Object.assign(new Error('ENOENT'), { code: 'ENOENT' }));
 * // 'The --resend file send.failed.jsonl does not exist: name the failed file a run wrote (FILE.failed.jsonl).'
 */
export function resendFileProblem(file: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const named = 'name the failed file a run wrote (FILE.failed.jsonl)';
  if (code === 'ENOENT') return `The --resend file ${file} does not exist: ${named}.`;
  if (code === 'ENOTDIR') return `The --resend file ${file} does not exist (part of its path is a file, not a folder): ${named}.`;
  if (code === 'EISDIR') return `The --resend file ${file} is a folder: ${named}.`;
  if (code === 'EACCES' || code === 'EPERM') return `The --resend file ${file} cannot be read: this user is not permitted to (check its owner and mode).`;
  return `The --resend file ${file} cannot be read: ${(err instanceof Error ? err.message : String(err)).replace(/\.$/, '')}.`;
}

/** A line of a failed file, without what the failure added to it; undefined when it is not one. */
function failedLine(line: string): Failed | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  const d = (v as { decision?: { decisionId?: unknown; placement?: unknown } } | null)?.decision;
  if (typeof v !== 'object' || Array.isArray(v) || typeof d?.decisionId !== 'string' || typeof d.placement !== 'string') return undefined;
  const { deliveryError: _error, attempts: _attempts, idempotencyKey: key, ...sent } = v as Record<string, unknown>;
  return { placement: d.placement, key: typeof key === 'string' ? key : undefined, sent: sent as Failed['sent'] };
}
