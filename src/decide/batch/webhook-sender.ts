import { createHash } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { deliver, DEFAULT_RETRY, type RetryPolicy } from './webhook.js';

/** Batches the webhook may fail in a row, each after all its attempts, before it is taken for down. */
export const FAILS_IN_A_ROW = 3;

/** Options of {@link webhookSender}. */
export interface SenderOptions {
  webhook: string;
  retry?: RetryPolicy;
  /** Where batches that fail are appended. */
  failedPath: string;
  sleep?: (ms: number) => Promise<void>;
  /** Once it fires, deliveries get `graceMs` more (default 5 s), then fail with its reason. */
  signal?: AbortSignal;
  graceMs?: number;
  /** Called once, when the webhook has failed {@link FAILS_IN_A_ROW} batches in a row (and no signal stopped the work). */
  onDown?: (error: string) => void;
}

/** One line of a failed file: the decision as it was sent, and why it was not taken. */
export interface FailedLine {
  deliveryError?: string;
  attempts: number;
  /** The Idempotency-Key of the batch it failed in: a resend sends the same batch under it. */
  idempotencyKey: string;
}

/** What a {@link webhookSender} has done so far. */
export interface SenderCounts {
  delivered: number;
  failed: number;
  /** Set once a batch failed. */
  failedPath?: string;
  /** Set once the webhook failed {@link FAILS_IN_A_ROW} batches in a row: why it is taken for down. */
  downError?: string;
}

/**
 * Delivers batches of decisions to a webhook (as `{ placement, decisions }`, with retries and
 * backoff, each attempt under the batch's Idempotency-Key), appending each batch that still fails
 * to the failed file with why. The one way both `tact decide-batch` and `--resend` send, so a
 * resent batch goes out as its first sending did. Once the webhook has failed
 * {@link FAILS_IN_A_ROW} batches in a row, the batches after are written to the failed file
 * untried. `close()` stops listening to the signal.
 *
 * @example
 * const sender = webhookSender({ webhook: 'https://esp.example.com/hooks/tact', failedPath: 'send.jsonl.failed.jsonl' });
 * await sender.send('weekly-email', batch); sender.close(); console.log(sender.counts.delivered);
 */
export function webhookSender(o: SenderOptions): { counts: SenderCounts; send(placement: string, batch: readonly object[], untried?: string): Promise<boolean>; close(): void } {
  const counts: SenderCounts = { delivered: 0, failed: 0 };
  // Once stopped, deliveries get `graceMs` more, then fail with this reason (recorded in the failed file).
  const giveUp = new AbortController();
  const onStop = () => {
    const grace = o.graceMs ?? 5000;
    setTimeout(() => giveUp.abort(new Error(`stopped by ${String(o.signal?.reason ?? 'a signal')}: the webhook did not take the batch within ${grace / 1000} s`)), grace).unref();
  };
  if (o.signal?.aborted) onStop();
  else o.signal?.addEventListener('abort', onStop, { once: true });
  let inARow = 0;
  return {
    counts,
    /** Delivers one batch (or, given `untried`, records it as failed for that reason without trying); whether it was taken. */
    async send(placement, batch, untried) {
      const key = idempotencyKey(batch as { decision: { decisionId?: unknown } }[]);
      const skip = untried ?? counts.downError;
      const r = skip !== undefined ? { ok: false, attempts: 0, error: skip } : await deliver(o.webhook, { placement, decisions: batch }, o.retry ?? DEFAULT_RETRY, o.sleep, { 'idempotency-key': key }, giveUp.signal);
      if (r.ok) {
        counts.delivered += batch.length;
        inARow = 0;
        return true;
      }
      counts.failed += batch.length;
      const line: FailedLine = { deliveryError: r.error, attempts: r.attempts, idempotencyKey: key };
      appendFileSync(o.failedPath, batch.map((d) => JSON.stringify({ ...d, ...line }) + '\n').join(''));
      counts.failedPath = o.failedPath;
      if (skip === undefined && ++inARow >= FAILS_IN_A_ROW && !o.signal?.aborted) {
        counts.downError = `the webhook failed ${inARow} batches in a row (the last: ${r.error})`;
        o.onDown?.(counts.downError);
      }
      return false;
    },
    close: () => o.signal?.removeEventListener('abort', onStop),
  };
}

/**
 * The `Idempotency-Key` of a webhook delivery: the same for every attempt of a batch (its decision
 * ids), so a receiver that got an attempt whose answer was lost (a timeout) can tell the retry.
 *
 * @example
 * idempotencyKey([{ decision: { decisionId: '01K…' } }]) // 'tact-batch-3f1c…'
 */
export function idempotencyKey(batch: readonly { decision: { decisionId?: unknown } }[]): string {
  return `tact-batch-${createHash('sha256').update(batch.map((d) => String(d.decision.decisionId)).join('\n')).digest('hex').slice(0, 32)}`;
}
