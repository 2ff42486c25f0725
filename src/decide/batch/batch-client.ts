import { rmSync } from 'node:fs';
import type { AudienceLine, AudienceRequest } from './audience-run.js';
import type { RetryPolicy } from './webhook.js';
import { FAILS_IN_A_ROW, webhookSender } from './webhook-sender.js';
import { AHEAD_HEADER, MAX_AHEAD, RUN_HEADER } from './run-header.js';
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
  /**
   * Decisions per webhook request (default 100). With a webhook the server decides at most twice
   * this many ahead of the decisions the webhook has taken or failed ({@link aheadOf}).
   */
  webhookBatch?: number;
  retry?: RetryPolicy;
  /** Where this run's undeliverable decisions go (default `<out or decide-batch>.failed.jsonl`; started afresh by each run). */
  failedPath?: string;
  /** Called on each line of the server's that changes the counts (each decision among them), with the summary as it stands: copy what is kept. */
  onProgress?: (p: { scanned: number; total: number; matched: number; decided: number; actions: number; audienceErrors: number }) => void;
  sleep?: (ms: number) => Promise<void>;
  /**
   * Stops the run (a first Ctrl-C): the server is asked to decide for no more subjects, every
   * decision it made is read and written, and the webhook batch in hand is delivered or, after
   * `graceMs`, written to the failed file, as are the batches after it, unsent. Its reason (e.g. 'SIGINT') says why in the summary.
   */
  signal?: AbortSignal;
  /** How long deliveries may go on once `signal` fires, and how long the server's answer is waited for (default 5 s). */
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
  /** Decisions received from the server (each logged, and counting against caps and budgets). */
  received: number;
  /** Of them, those written to `out` (none without it). */
  written: number;
  delivered: number;
  failed: number;
  errors: number;
  /**
   * `end`, `limit`, `maxActions`, `interrupted` (the server's stream broke off before its last
   * line), `webhook` (it failed {@link FAILS_IN_A_ROW} batches in a row), `signal` (`signal` stopped it)
   * or `stopped` (the run was stopped on the server by someone else).
   */
  stoppedBy: string;
  seconds: number;
  /** The subjects no decision was made for (`error` lines of the stream naming one): how many, and the first with why (`errorId` finds it in the server log). */
  subjectErrors?: { count: number; profileId: string; message: string; errorId?: string };
  /** Why the run was interrupted. */
  error?: string;
  /**
   * Set when the run was stopped but the server could not be asked to stop it (a server older than
   * 2026-12-05, or one whose other process streamed the run): why. The client then went away, and
   * the decisions the server had made past the last line received are logged, count against caps
   * and budgets, and are in no file.
   */
  unreceived?: string;
  /**
   * Set when the server's stream broke off before its last line (the server killed, the connection
   * dropped): why. The decisions the server had made past the last line received, if any, are
   * logged, count against caps and budgets, and are in no file.
   */
  brokeOff?: string;
  /** Where the decisions received are, when the run was interrupted (the output is written under its own name only once complete). */
  partial?: string;
  /** Where the undeliverable decisions were written. */
  failedPath?: string;
  /**
   * Why the webhook was taken for down ({@link FAILS_IN_A_ROW} batches failed in a row): the
   * decisions after were written to the failed file untried. Set also when the run ended on its
   * own before the stop it asked for took effect.
   */
  webhookError?: string;
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
  const base = o.url.replace(/\/$/, '');
  // Stopped before the server answered: its answer is waited for `graceMs` (it decides nothing
  // before it answers, and is then stopped by the run's name), then given up.
  const unanswered = new AbortController();
  let wait: NodeJS.Timeout | undefined;
  const giveUpAnswer = () => (wait = setTimeout(() => unanswered.abort(stopped.reason), o.graceMs ?? 5000));
  stopped.addEventListener('abort', giveUpAnswer, { once: true });
  const size = o.webhookBatch ?? 100;
  const res = await fetch(`${base}/v1/decide/batch`, {
    method: 'POST',
    signal: unanswered.signal,
    // With a webhook the run is paced by it: without, a file written as fast as lines come needs no pace.
    headers: { authorization: `Bearer ${o.key}`, 'content-type': 'application/json', ...(o.webhook && aheadOf(size) <= MAX_AHEAD ? { [AHEAD_HEADER]: String(aheadOf(size)) } : {}) },
    body: JSON.stringify({ placement: o.placement, audience: o.audience, context: o.context, limit: o.limit, maxActions: o.maxActions, includeNone: o.includeNone, sendTime: o.sendTime }),
  })
    .catch(async (err: unknown) => {
      await discard();
      throw err;
    })
    .finally(() => (stopped.removeEventListener('abort', giveUpAnswer), clearTimeout(wait)));
  if (!res.ok || !res.body) {
    const body = (await res.json().catch(() => ({}))) as { message?: string };
    await discard();
    throw new BatchRefused(res.status, body.message ?? res.statusText);
  }
  // (Decisions written to stdout: the failed file is named as when there is no --out.)
  const failedPath = o.failedPath ?? `${o.out && !isStdout(o.out) ? o.out : 'decide-batch'}.failed.jsonl`;
  const s: BatchSummary = { scanned: 0, total: 0, matched: 0, decided: 0, actions: 0, audienceErrors: 0, received: 0, written: 0, delivered: 0, failed: 0, errors: 0, stoppedBy: 'end', seconds: 0 };
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
  // Once the webhook is taken for down, what is still received goes to the failed file untried.
  // Each decision is logged and counts against caps and budgets: deciding on for a webhook that
  // takes none (down, or refusing the key) would use the audience up on sends that never happen.
  const sender = o.webhook ? webhookSender({ webhook: o.webhook, retry: o.retry, failedPath, sleep: o.sleep, signal: o.signal, graceMs: o.graceMs, onDown: () => cut.abort() }) : undefined;
  // After a signal, one batch is delivered: the one being sent then, else the one being gathered.
  let delivering = false;
  let spare = 1;
  const onSignal = () => (spare = delivering ? 0 : 1);
  o.signal?.addEventListener('abort', onSignal, { once: true });
  const flush = async () => {
    if (!sender || !pending.length) return;
    delivering = true;
    await sender.send(o.placement, pending.splice(0, size)).finally(() => (delivering = false));
    Object.assign(s, { delivered: sender.counts.delivered, failed: sender.counts.failed }, sender.counts.failedPath ? { failedPath: sender.counts.failedPath } : {});
    tellTaken();
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
      if (writer) {
        writer.write(d);
        s.written += 1;
      }
      s.received += 1;
      received.decided += 1;
      received.actions += d.decision.choices.filter((c) => c.kind === 'action').length;
      for (const k of ['scanned', 'total', 'matched', 'decided'] as const) s[k] = Math.max(s[k], received.decided);
      s.actions = Math.max(s.actions, received.actions);
      // Reported as each decision comes: the server's own reports come every 1,000 profiles.
      o.onProgress?.(s);
      // (Kept only for a webhook: a run to a file alone would hold every decision in memory.)
      if (o.webhook) pending.push(d);
      // Delivered as they come, and the server told so (tellTaken): it decides at most aheadOf(size)
      // past what the webhook took. Once stopped, the lines are read on to the last one and
      // written; their delivery waits for the end.
      if (pending.length >= size && !stopping) await flush();
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
  // A stop (a signal, or the webhook taken for down) asks the server to decide for no more subjects,
  // and the stream is read on to its last line: the server decides ahead of what is read, by what
  // the socket and fetch buffers hold (megabytes: thousands of decisions, fewer with a webhook,
  // which paces the run: aheadOf), and each of those is logged and
  // counts against caps and budgets. Until 2026-12-05 the client went away at once, and they were
  // in no file. A server that cannot be asked (older, or another process of it, without the run)
  // is left as before: the read is raced against the refusal and the client goes away, saying so.
  const run = res.headers.get(RUN_HEADER) ?? undefined;
  // A paced run (the server said so) decides on only as the server is told what the webhook took:
  // delivered, or written to the failed file. A count it cannot be told would hold the run for
  // good: the run is stopped instead, saying why.
  const paced = run !== undefined && res.headers.get(AHEAD_HEADER) !== null;
  let paceError: string | undefined;
  const tellTaken = () => {
    if (!paced || done || !reading || paceError) return;
    void tellServer(base, o.key, run, s.delivered + s.failed).then((why) => {
      if (why === undefined || done || !reading || paceError) return;
      paceError = why;
      cut.abort();
    });
  };
  let stopping: 'signal' | 'webhook' | 'pace' | undefined;
  let refuse: (err: Error) => void = () => undefined;
  const refused = new Promise<never>((_resolve, reject) => (refuse = reject));
  refused.catch(() => undefined);
  const onStop = () => {
    if (done) return;
    stopping = o.signal?.aborted ? 'signal' : paceError ? 'pace' : 'webhook';
    void askToStop(base, o.key, run).then((why) => {
      if (why === undefined || !reading) return;
      s.unreceived = why;
      refuse(new Error(why));
    });
  };
  if (stopped.aborted) onStop();
  else stopped.addEventListener('abort', onStop, { once: true });
  let cutShort = false;
  let reading = true;
  try {
    for (;;) {
      const { done: end, value: chunk } = await Promise.race([reader.read(), refused]);
      if (end) break;
      buf += decoder.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const text = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (text.trim()) await handle(JSON.parse(text));
      }
    }
    // A last line without its newline is a line cut short, and is left out when stopped.
    if (buf.trim() && !stopping) await handle(JSON.parse(buf));
    if (!done) throw new Error(serverError ?? 'the server\'s stream ended before its last line');
  } catch (err) {
    cutShort = true;
    // The decisions received are logged and count against caps: they are still written and delivered.
    const cause = (err as Error).cause as Error | undefined;
    const why = `${(err as Error).message}${cause?.message ? `: ${cause.message}` : ''}`;
    if (!stopping) s.error = why;
    // Not the refusal to stop (said as `unreceived`): the stream broke off, stopped or not.
    if (s.unreceived === undefined) s.brokeOff = why;
    // The server hears the client go away. (Not waited for: on an aborted body it may never settle.)
    reader.cancel().catch(() => undefined);
  } finally {
    reading = false;
    stopped.removeEventListener('abort', onStop);
  }
  // Stopped before the server's last line (`stopped`, or none): the run is incomplete. A stop that
  // came after the run ended on its own (its last line read, or on its way) changes nothing.
  if (stopping === 'pace' && (cutShort || s.stoppedBy === 'stopped')) {
    s.stoppedBy = 'interrupted';
    s.error = `${paceError ?? 'the server could not be told what the webhook took'}: no more decisions were asked for`;
  } else if (stopping && (cutShort || s.stoppedBy === 'stopped')) {
    const down = downError();
    s.stoppedBy = stopping;
    s.error = stopping === 'signal' ? `stopped by ${String(o.signal?.reason)}` : `${down ?? 'the webhook was taken for down'}: no more decisions were asked for`;
  } else if (cutShort) s.stoppedBy = 'interrupted';
  else if (s.stoppedBy === 'stopped') s.error = 'the run was stopped on the server (POST /v1/decide/batch/{run}/stop, from elsewhere)';
  // Still listening: a signal during the last deliveries gives the batch in hand `graceMs` too.
  // Once stopped by a signal, only the batch in hand is delivered — the one being sent when it
  // came, else the one being gathered —, the rest go to the failed file unsent (until 2026-12-06
  // batch after batch was started for the whole grace, and one the receiver took as the grace
  // ran out was in the failed file too, so a resend sent it twice).
  if (o.webhook) {
    while (pending.length) {
      if (o.signal?.aborted && spare-- <= 0) await sender?.send(o.placement, pending.splice(0, size), `stopped by ${String(o.signal.reason)}: not sent`);
      else await flush();
    }
    o.signal?.removeEventListener('abort', onSignal);
    if (sender) Object.assign(s, { delivered: sender.counts.delivered, failed: sender.counts.failed }, sender.counts.failedPath ? { failedPath: sender.counts.failedPath } : {});
  }
  sender?.close();
  if (downError()) s.webhookError = downError();
  await writer?.close(!s.error);
  if (writer && s.error) s.partial = writer.partialPath;
  s.seconds = (performance.now() - started) / 1000;
  return s;
}

/**
 * Asks the server to stop the run `run` (POST /v1/decide/batch/{run}/stop): undefined once it
 * decides for no more subjects (or had ended), else why it could not be asked.
 *
 * @example
 * const why = await askToStop('http://127.0.0.1:8787', key, run); // undefined: read on to the last line
 */
export async function askToStop(url: string, key: string, run: string | undefined): Promise<string | undefined> {
  if (!run) return 'the server names no run to stop (a server older than 2026-12-05)';
  try {
    const res = await fetch(`${url}/v1/decide/batch/${encodeURIComponent(run)}/stop`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(10_000) });
    const body = (await res.json().catch(() => ({}))) as { message?: string };
    return res.ok ? undefined : `the server did not stop the run (HTTP ${res.status}${body.message ? `: ${body.message}` : ''})`;
  } catch (err) {
    const cause = (err as Error).cause as Error | undefined;
    return `the server could not be asked to stop the run (${(err as Error).message}${cause?.message ? `: ${cause.message}` : ''})`;
  }
}

/**
 * How many decisions the server may make ahead of those the webhook has taken or failed: two
 * webhook batches, so that the next batch is decided while one is delivered.
 *
 * @example
 * aheadOf(100); // 200
 */
export function aheadOf(webhookBatch: number): number {
  return 2 * webhookBatch;
}

/**
 * Tells the server of a paced run how many of its decision lines the client has taken (POST
 * /v1/decide/batch/{run}/taken): undefined once told, else why it could not be.
 *
 * @example
 * const why = await tellServer('http://127.0.0.1:8787', key, run, 300);
 */
export async function tellServer(url: string, key: string, run: string, taken: number): Promise<string | undefined> {
  try {
    const res = await fetch(`${url}/v1/decide/batch/${encodeURIComponent(run)}/taken`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ taken }), signal: AbortSignal.timeout(10_000) });
    const body = (await res.json().catch(() => ({}))) as { message?: string };
    return res.ok ? undefined : `the server could not be told what the webhook took (HTTP ${res.status}${body.message ? `: ${body.message}` : ''})`;
  } catch (err) {
    const cause = (err as Error).cause as Error | undefined;
    return `the server could not be told what the webhook took (${(err as Error).message}${cause?.message ? `: ${cause.message}` : ''})`;
  }
}
