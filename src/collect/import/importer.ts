import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, renameSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { normalizeMessage } from '../normalize.js';
import type { ColumnMap } from './column-map.js';
import { settleEventTime } from './event-time.js';
import { readRecords } from './read-records.js';

export interface ImportOptions {
  path: string;
  format: 'jsonl' | 'csv';
  map?: ColumnMap;
  /** Base URL of a running Tact server. */
  url: string;
  writeKey: string;
  /** Messages per batch (at most 500; batches also stay under 450 KB). */
  batchSize?: number;
  /** Batches in flight at once. */
  concurrency?: number;
  /** Where bad lines are written, with their reasons (JSONL). Default: FILE.rejected.jsonl */
  reportPath?: string;
  /** Where progress is kept for resuming. Default: FILE.tact-import.json */
  statePath?: string;
  /** Ignore earlier progress and start from the first line. */
  restart?: boolean;
  onProgress?: (p: ImportProgress) => void;
  /** For tests: stop (as if interrupted) once this many lines were acknowledged. */
  stopAfterLines?: number;
}

export interface ImportProgress {
  bytes: number;
  totalBytes: number;
  lines: number;
  accepted: number;
  rejected: number;
}

export interface ImportSummary extends ImportProgress {
  resumedFrom: number;
  seconds: number;
  reportPath: string;
  complete: boolean;
}

interface ImportState {
  fileId: string;
  /** Every line up to this one is stored or reported. */
  line: number;
  accepted: number;
  rejected: number;
  /** The report's length when `line` was saved: what is past it was written for lines after. */
  reportBytes: number;
  done: boolean;
}

/** A run of lines sent as one batch, with what became of them; counted once it and all before it are answered. */
interface Segment {
  lastLine: number;
  settled: boolean;
  accepted: number;
  bad: { line: number; text: string }[];
}

/**
 * Imports a JSONL or CSV file through a running server's /v1/batch, with the same validation,
 * a report of bad lines with their reasons, and resumable progress: the state file records the
 * last line up to which everything was acknowledged, with the counts and the report's length at
 * that line, so lines re-read after an interruption are counted and reported once. Messages
 * without a messageId get one made from their content and line, so a line sent again (after an
 * interruption, or when the file grew or moved) is stored once.
 */
export async function runImport(o: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  const path = resolve(o.path);
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path);
  } catch (err) {
    throw new Error((err as NodeJS.ErrnoException).code === 'ENOENT' ? `There is no file ${path}.` : `Cannot read ${path}: ${(err as Error).message}.`);
  }
  const fileId = createHash('sha256').update(`${path}\u0000${st.size}\u0000${st.mtimeMs}`).digest('hex').slice(0, 16);
  const statePath = o.statePath ?? `${path}.tact-import.json`;
  const reportPath = o.reportPath ?? `${path}.rejected.jsonl`;
  let state: ImportState = { fileId, line: 0, accepted: 0, rejected: 0, reportBytes: 0, done: false };
  if (!o.restart && existsSync(statePath)) {
    const saved = readState(statePath);
    if (saved?.fileId === fileId) state = { ...saved, reportBytes: saved.reportBytes ?? sizeOf(reportPath) };
  }
  const resumedFrom = state.line;
  const progress: ImportProgress = { bytes: 0, totalBytes: st.size, lines: state.line, accepted: state.accepted, rejected: state.rejected };
  if (state.done) return { ...progress, bytes: st.size, resumedFrom, seconds: 0, reportPath, complete: true };
  try {
    // What was reported past the saved line is reported again as those lines are re-read.
    if (state.line === 0 || !existsSync(reportPath)) writeFileSync(reportPath, '');
    else if (sizeOf(reportPath) > state.reportBytes) truncateSync(reportPath, state.reportBytes);
    state.reportBytes = sizeOf(reportPath);
  } catch (err) {
    throw new Error(`Cannot write the report of bad lines to ${reportPath} (${(err as Error).message}); pass --report with a file that can be written.`);
  }
  const saveState = () => {
    writeFileSync(`${statePath}.tmp`, JSON.stringify(state));
    renameSync(`${statePath}.tmp`, statePath);
  };
  try {
    saveState();
  } catch (err) {
    throw new Error(`Cannot save the import's progress in ${statePath} (${(err as Error).message}); pass --state with a file that can be written.`);
  }

  const inflight: Segment[] = [];
  const running = new Set<Promise<void>>();
  const limit = o.concurrency ?? 4;
  const maxBatch = Math.min(500, o.batchSize ?? 500);
  const segment = (): Segment => ({ lastLine: 0, settled: false, accepted: 0, bad: [] });
  let current = segment();
  let batch: { line: number; message: Record<string, unknown> }[] = [];
  let batchBytes = 0;
  let stop = false;
  let failure: unknown;
  const report = (seg: Segment, line: number, reason: string, problems?: unknown) => {
    seg.bad.push({ line, text: JSON.stringify({ line, reason, ...(problems ? { problems } : {}) }) });
  };

  // Counts and reports the answered segments in file order, then saves the line they reach with them.
  const advance = () => {
    let text = '';
    while (inflight.length && inflight[0].settled) {
      const seg = inflight.shift() as Segment;
      for (const b of seg.bad.sort((x, y) => x.line - y.line)) text += b.text + '\n';
      state.rejected += seg.bad.length;
      state.accepted += seg.accepted;
      state.line = Math.max(state.line, seg.lastLine);
    }
    if (text) {
      appendFileSync(reportPath, text);
      state.reportBytes += Buffer.byteLength(text);
    }
    progress.lines = state.line;
    progress.accepted = state.accepted;
    progress.rejected = state.rejected;
    saveState();
    o.onProgress?.(progress);
    if (o.stopAfterLines !== undefined && state.line >= o.stopAfterLines) stop = true;
  };

  const flush = async (lastLine: number) => {
    const seg = current;
    seg.lastLine = lastLine;
    current = segment();
    inflight.push(seg);
    const items = batch;
    batch = [];
    batchBytes = 0;
    if (!items.length) {
      seg.settled = true;
      advance();
      return;
    }
    const task = send(o, items.map((i) => i.message)).then((rejected) => {
      const bad = new Map(rejected.map((r) => [r.index, r]));
      items.forEach((it, i) => {
        const r = bad.get(i);
        if (r) report(seg, it.line, 'the server rejected the message', r.problems);
        else seg.accepted += 1;
      });
      seg.settled = true;
      advance();
    }).catch((err: unknown) => {
      failure ??= err;
      stop = true;
    });
    const tracked = task.finally(() => running.delete(tracked));
    running.add(tracked);
    if (running.size >= limit) await Promise.race(running);
  };

  // The last line read: once the file ends, every line up to it is handled.
  let lastRead = resumedFrom;
  for await (const rec of readRecords(path, o.format, o.map)) {
    progress.bytes = rec.bytes;
    if (rec.line <= resumedFrom) continue;
    if (stop) break;
    lastRead = rec.line;
    if (rec.error || !rec.message) {
      report(current, rec.line, rec.error ?? 'empty record');
      continue;
    }
    const m = rec.message;
    if (m.messageId === undefined) m.messageId = lineId(m, rec.line);
    const n = normalizeMessage(m, undefined, { receivedAt: Date.now() });
    if (!n.ok) {
      report(current, rec.line, n.problems[0].message, n.problems);
      continue;
    }
    settleEventTime(m);
    const size = Buffer.byteLength(JSON.stringify(m));
    if (batch.length >= maxBatch || batchBytes + size > 450 * 1024) await flush(rec.line - 1);
    batch.push({ line: rec.line, message: m });
    batchBytes += size;
  }
  if (!stop) await flush(lastRead);
  await Promise.all(running);
  if (failure) throw failure;
  advance();
  const complete = !stop;
  if (complete) {
    state.done = true;
    saveState();
  }
  return { ...progress, bytes: complete ? st.size : progress.bytes, resumedFrom, seconds: (performance.now() - started) / 1000, reportPath, complete };
}

/**
 * The id of a message sent without one: its content and its line. It stays the same when the
 * file is moved, touched or appended to, so a line sent again is recognised and stored once,
 * while two equal lines of one file stay two events.
 */
function lineId(m: Record<string, unknown>, line: number): string {
  return `import-${createHash('sha256').update(JSON.stringify(m)).digest('base64url').slice(0, 22)}-${line}`;
}

function readState(statePath: string): (Omit<ImportState, 'reportBytes'> & { reportBytes?: number }) | undefined {
  try {
    return JSON.parse(readFileSync(statePath, 'utf8')) as ImportState;
  } catch {
    return undefined; // unreadable progress: start from the first line (stored lines are recognised)
  }
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** Posts one batch, retrying transient failures; returns the rejected entries. */
async function send(o: ImportOptions, batch: Record<string, unknown>[]): Promise<{ index: number; problems?: unknown }[]> {
  const body = JSON.stringify({ batch });
  const auth = `Basic ${Buffer.from(`${o.writeKey}:`).toString('base64')}`;
  for (let attempt = 0; ; attempt++) {
    let status = 0;
    let json: { rejected?: { index: number; problems?: unknown }[]; message?: string } = {};
    try {
      const r = await fetch(`${o.url.replace(/\/$/, '')}/v1/import`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body });
      status = r.status;
      json = (await r.json().catch(() => ({}))) as typeof json;
    } catch {
      status = 0;
    }
    if (status === 200) return json.rejected ?? [];
    if (status === 400 && json.rejected) return json.rejected;
    if (status === 401 || status === 403) throw new Error(`The server refused the write key: ${json.message ?? status}`);
    if (status === 400 || status === 413) return batch.map((_, index) => ({ index, problems: [{ field: '(batch)', message: json.message ?? `HTTP ${status}` }] }));
    if (attempt >= 8) throw new Error(`The server did not accept a batch after ${attempt + 1} tries (last answer: ${status || 'no connection'}). Run the import again to resume.`);
    await new Promise((r) => setTimeout(r, Math.min(10_000, 200 * 2 ** attempt)));
  }
}
