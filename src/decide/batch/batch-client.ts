import { rmSync } from 'node:fs';
import type { AudienceLine, AudienceRequest } from './audience-run.js';
import type { RetryPolicy } from './webhook.js';
import { FAILS_IN_A_ROW, webhookSender } from './webhook-sender.js';
import { isStdout, moveAside, openDecisionWriter, type BatchDecision } from './writers.js';

export { FAILS_IN_A_ROW, idempotencyKey } from './webhook-sender.js';

/**
 * The server's refusal of a batch before any decision (a placement not in the catalog, an audience
 * that is not valid CEL, a key refused): its HTTP status and its sentence, which names the request's
 * fields as the API calls them (`placement`, `audience`).
 *
 * @example
 * if (err instanceof BatchRefused && err.status === 400) console.log(err.reason);
 */
export class BatchRefused extends Error {
  constructor(readonly status: number, readonly reason: string) {
    super(`The server refused the batch (HTTP ${status}): ${reason}`);
  }
}

/** Options of {@link runBatch}. */
export interface BatchOptions extends AudienceRequest {
  url: string;
  key: string;
  out?: string;
  format: 'jsonl' | 'csv';
  webhook?: string;
  /** Decisions per webhook request (default 100). */
  webhookBatch?: number;
  retry?: RetryPolicy;
  /** Where this run's undeliverable decisions go (default `<out or decide-batch>.failed.jsonl`; started afresh by each run). */
  failedPath?: string;
  onProgress?: (p: { scanned: number; total: number; matched: number; decided: number; actions: number; audienceErrors: number }) => void;
  sleep?: (ms: number) => Promise<void>;
  /**
   * Stops the run (a first Ctrl-C): no more decisions are asked for, the lines received are
   * written, and the webhook batches in hand are delivered or, after `graceMs`, written to the
   * failed file. Its reason (e.g. 'SIGINT') says why in the summary.
   */
  signal?: AbortSignal;
  /** How long deliveries may go on once `signal` fires (default 5 s). */
  graceMs?: number;
}

/** What a batch run did. */
export interface BatchSummary {
  scanned: number;
  total: number;
  matched: number;
  decided: number;
  actions: number;
  /** Of the profiles scanned, those the audience was evaluated on; undefined from a server older than the count. */
  evaluated?: number;
  /** Profiles the audience could not be evaluated on (left out), and why for the first of them. */
  audienceErrors: number;
  audienceError?: string;
  written: number;
  delivered: number;
  failed: number;
  errors: number;
  /**
   * `end`, `limit`, `maxActions`, `interrupted` (the server's stream broke off before its last
   * line), `webhook` (it failed {@link FAILS_IN_A_ROW} batches in a row) or `signal` (`signal` stopped it).
   */
  stoppedBy: string;
  seconds: number;
  /** The subjects no decision was made for (`error` lines of the stream naming one): how many, and the first with why (`errorId` finds it in the server log). */
  subjectErrors?: { count: number; profileId: string; message: string; errorId?: string };
  /** Why the run was interrupted. */
  error?: string;
  /** Where the decisions received are, when the run was interrupted (the output is written under its own name only once complete). */
  partial?: string;
  /** Where the undeliverable decisions were written. */
  failedPath?: string;
  /** The failed file an earlier run left at `failedPath`, and the name it is kept under now. */
  earlierFailed?: { path: string; keptAs: string };
}

/**
 * The client side of `tact decide-batch`: asks a running server to decide for an audience,
 * reads the streamed lines, writes the decisions (JSONL or CSV) and delivers them to a webhook in
 * batches with retries and backoff; batches that still fail go to the failed file.
 *
 * @example
 * await runBatch({ url: 'http://127.0.0.1:8787', key, placement: 'weekly-email', audience: 'features.orders >= 1.0', out: 'send.csv', format: 'csv' });
 */
export async function runBatch(o: BatchOptions): Promise<BatchSummary> {
  const started = performance.now();
  // The output first: decisions made for a file that cannot be written would be logged and count
  // against caps and budgets, yet reach no one.
  const writer = o.out ? openDecisionWriter(o.out, o.format) : undefined;
  // Aborted when the webhook fails batch after batch: the server then makes no more decisions.
  const cut = new AbortController();
  // Nothing decided (no answer, or a refusal): no output file is left behind.
  const discard = async () => {
    await writer?.close(false).catch(() => undefined);
    if (writer) rmSync(writer.partialPath, { force: true });
  };
  const stopped = o.signal ? AbortSignal.any([o.signal, cut.signal]) : cut.signal;
  const res = await fetch(`${o.url.replace(/\/$/, '')}/v1/decide/batch`, {
    method: 'POST',
    signal: stopped,
    headers: { authorization: `Bearer ${o.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ placement: o.placement, audience: o.audience, context: o.context, limit: o.limit, maxActions: o.maxActions, includeNone: o.includeNone, sendTime: o.sendTime }),
  }).catch(async (err: unknown) => {
    await discard();
    throw err;
  });
  if (!res.ok || !res.body) {
    const body = (await res.json().catch(() => ({}))) as { message?: string };
    await discard();
    throw new BatchRefused(res.status, body.message ?? res.statusText);
  }
  // (Decisions written to stdout: the failed file is named as when there is no --out.)
  const failedPath = o.failedPath ?? `${o.out && !isStdout(o.out) ? o.out : 'decide-batch'}.failed.jsonl`;
  const s: BatchSummary = { scanned: 0, total: 0, matched: 0, decided: 0, actions: 0, audienceErrors: 0, written: 0, delivered: 0, failed: 0, errors: 0, stoppedBy: 'end', seconds: 0 };
  // What the decision lines themselves showed: the floor of the counts the server's lines report.
  const received = { decided: 0, actions: 0 };
  // The failed file lists this run's undelivered decisions only: one an earlier run left would
  // otherwise stay beside a run that delivered everything, and a retry script would send it twice.
  // Moved aside rather than deleted: its decisions were logged and never delivered, and may not
  // have been resent yet.
  if (o.webhook) {
    const aside = moveAside(failedPath);
    if (aside) s.earlierFailed = { path: failedPath, keptAs: aside };
  }
  const pending: BatchDecision[] = [];
  /** Whether the server's last line (`done`) came; what it said went wrong, if it stopped early. */
  let done = false;
  let serverError: string | undefined;
  const size = o.webhookBatch ?? 100;
  // Once the webhook is taken for down, what is still received goes to the failed file untried.
  // Each decision is logged and counts against caps and budgets: deciding on for a webhook that
  // takes none (down, or refusing the key) would use the audience up on sends that never happen.
  const sender = o.webhook ? webhookSender({ webhook: o.webhook, retry: o.retry, failedPath, sleep: o.sleep, signal: o.signal, graceMs: o.graceMs, onDown: () => cut.abort() }) : undefined;
  const flush = async () => {
    if (!sender || !pending.length) return;
    await sender.send(o.placement, pending.splice(0, size));
    Object.assign(s, { delivered: sender.counts.delivered, failed: sender.counts.failed }, sender.counts.failedPath ? { failedPath: sender.counts.failedPath } : {});
  };
  const downError = () => sender?.counts.downError;
  const handle = async (line: AudienceLine | { type: 'error'; message: string }) => {
    if (line.type === 'progress' || line.type === 'done') {
      // (`audienceErrors` is absent from the lines of a server older than the count.)
      // Never fewer than the decisions received: a run stopped (by the webhook) before the server's
      // first progress line had received some (until 2026-12-05 its summary said 0 of 0).
      Object.assign(s, { scanned: Math.max(line.scanned, received.decided), total: Math.max(line.total, received.decided), matched: Math.max(line.matched, received.decided), decided: Math.max(line.decided, received.decided), actions: Math.max(line.actions, received.actions), audienceErrors: line.audienceErrors ?? 0 });
      if (line.evaluated !== undefined) s.evaluated = line.evaluated;
      if (line.audienceError !== undefined) s.audienceError = line.audienceError;
      if (line.type === 'done') {
        s.stoppedBy = line.stoppedBy;
        done = true;
      }
      o.onProgress?.(s);
    } else if (line.type === 'decision') {
      const d = line as unknown as BatchDecision;
      writer?.write(d);
      s.written += 1;
      received.decided += 1;
      received.actions += d.decision.choices.filter((c) => c.kind === 'action').length;
      for (const k of ['scanned', 'total', 'matched', 'decided'] as const) s[k] = Math.max(s[k], received.decided);
      s.actions = Math.max(s.actions, received.actions);
      // (Kept only for a webhook: a run to a file alone would hold every decision in memory.)
      if (o.webhook) pending.push(d);
      // Once stopped, the lines already received are still written; their delivery waits for the end.
      if (pending.length >= size && !o.signal?.aborted) await flush();
    } else {
      s.errors += 1;
      if (!('profileId' in line)) serverError = line.message;
      else {
        s.subjectErrors ??= { count: 0, profileId: String(line.profileId), message: line.message, errorId: (line as { errorId?: string }).errorId };
        s.subjectErrors.count += 1;
      }
    }
  };
  const decoder = new TextDecoder();
  let buf = '';
  const reader = res.body.getReader();
  // Once stopped (a signal, or the webhook taken for down), the next read ends the loop. Each read is
  // raced against the stop rather than left to fetch's abort: a read of the body after its fetch was
  // aborted may never settle (the webhook's case until 2026-12-05: the process then exited 0 with
  // nothing said, the decisions received after the last flush neither delivered nor in the failed file).
  const stop = new Promise<never>((_resolve, reject) => {
    const fire = () => reject(stopped.reason instanceof Error ? stopped.reason : new Error(`stopped by ${String(stopped.reason)}`));
    if (stopped.aborted) fire();
    else stopped.addEventListener('abort', fire, { once: true });
  });
  stop.catch(() => undefined);
  try {
    for (;;) {
      const { done: end, value: chunk } = await Promise.race([reader.read(), stop]);
      if (end) break;
      buf += decoder.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const text = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (text.trim()) await handle(JSON.parse(text));
      }
    }
    // A last line without its newline is a line cut short when stopped, and is left out.
    if (buf.trim() && !o.signal?.aborted && !downError()) await handle(JSON.parse(buf));
    if (!done) throw new Error(serverError ?? 'the server\'s stream ended before its last line');
  } catch (err) {
    // The decisions received are logged and count against caps: they are still written and delivered.
    const cause = (err as Error).cause as Error | undefined;
    const down = downError();
    s.stoppedBy = o.signal?.aborted ? 'signal' : down ? 'webhook' : 'interrupted';
    s.error = o.signal?.aborted ? `stopped by ${String(o.signal.reason)}` : down ? `${down}: no more decisions were asked for` : `${(err as Error).message}${cause?.message ? `: ${cause.message}` : ''}`;
    // The server hears the client go away. (Not waited for: on an aborted body it may never settle.)
    reader.cancel().catch(() => undefined);
  }
  // Still listening: a signal during the last deliveries gives them `graceMs` too.
  if (o.webhook) while (pending.length) await flush();
  sender?.close();
  await writer?.close(!s.error);
  if (writer && s.error) s.partial = writer.partialPath;
  s.seconds = (performance.now() - started) / 1000;
  return s;
}
