import { createHash, type Hash } from 'node:crypto';
import { accessSync, appendFileSync, constants, existsSync, readFileSync, renameSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { MAX_MESSAGE_BYTES, normalizeMessage } from '../normalize.js';
import type { ColumnMap } from './column-map.js';
import { settleEventTime } from './event-time.js';
import { checkImportFiles, defaultReportPath, defaultStatePath } from './import-files.js';
import { checkInputFile } from './input-file.js';
import { lineId } from './line-id.js';
import { readAhead, withAhead } from './read-ahead.js';
import { cutLineOf, readFailure, readFailureEntry } from './read-failure.js';
import { readRecords, type ImportRecord } from './read-records.js';
import { reportEntry, type Reported } from './report-entry.js';
import { sendBatch } from './send-batch.js';

export interface ImportOptions {
  path: string;
  /**
   * Read instead of the file at `path` (`tact import -`: stdin). Read once, as it comes, it has no
   * progress to save: nothing is resumed or written to a state file (send the same input again and
   * the lines stored are recognised, not stored twice); the report defaults to a file of the run's
   * own, stdin-<UTC time>.rejected.jsonl in the current folder (defaultReportPath).
   */
  input?: Readable;
  format: 'jsonl' | 'csv';
  map?: ColumnMap;
  /** What separates a CSV record's fields (default `,`; a tab for TSV). */
  delimiter?: string;
  /** Base URL of a running Tact server. */
  url: string;
  writeKey: string;
  /** Messages per batch (at most 500; batches also stay under 450 KB). */
  batchSize?: number;
  /** Batches in flight at once. */
  concurrency?: number;
  /** Where bad lines are written, with their reasons and text (JSONL: report-entry.ts). Default: FILE.rejected.jsonl */
  reportPath?: string;
  /** Where progress is kept for resuming. Default: FILE.tact-import.json (none for `input`) */
  statePath?: string;
  /** Ignore earlier progress and start from the first line. */
  restart?: boolean;
  onProgress?: (p: ImportProgress) => void;
  /** For tests: stop (as if interrupted) once this many lines were acknowledged. */
  stopAfterLines?: number;
  /** Stops the import (Ctrl-C): no line is read further, the batches sent are waited for and the progress saved. */
  signal?: AbortSignal;
}

export interface ImportProgress {
  bytes: number;
  totalBytes: number;
  lines: number;
  /** Messages the server took: stored, or found stored already (`duplicates`). */
  accepted: number;
  /**
   * Of those accepted, the ones the server had stored already (their messageId seen before: sent
   * by an earlier run, e.g. after --restart) and did not store again; null when the server's
   * answers did not say (a server older than the import, or progress saved by an older import).
   */
  duplicates: number | null;
  rejected: number;
}

export interface ImportSummary extends ImportProgress {
  resumedFrom: number;
  /** Messages stored by this run (`accepted` counts those of the runs it resumed as well). */
  acceptedNow: number;
  seconds: number;
  reportPath: string;
  complete: boolean;
}

interface ImportState {
  /** The file's size and time when saved: a finished import of a file not changed since has nothing to do. */
  size: number;
  mtimeMs: number;
  /** Every line up to this one is stored or reported. */
  line: number;
  accepted: number;
  /** null: not known (see ImportProgress.duplicates). */
  duplicates: number | null;
  rejected: number;
  /** The report's length when `line` was saved: what is past it was written for lines after. */
  reportBytes: number;
  done: boolean;
  /**
   * SHA-256 of the records up to `line` as read (their numbers and text): a file appended to
   * still matches it and the import goes on after `line`; a file changed before `line` does not,
   * and is refused rather than resumed at an offset into other lines.
   */
  digest: string;
  /** How the file is read (format, column map): the rest of a file read otherwise would be other messages. */
  reading: string;
  /**
   * The server the lines went to ({@link serverOf}): progress made with one says nothing of what
   * another holds. Absent in progress saved before 2026-12-05 (taken as this server's).
   */
  server?: string;
}

/** A state saved by an earlier version: the file named by path, size and time, no digest. */
type SavedState = Partial<ImportState> & { fileId?: string };

/** A run of lines sent as one batch, with what became of them; counted once it and all before it are answered. */
interface Segment {
  lastLine: number;
  /** The digest of the records up to lastLine. */
  digest: string;
  settled: boolean;
  accepted: number;
  /** undefined: the server's answer did not say. */
  duplicates: number | undefined;
  /** The report's entries for the segment's bad lines, and their length. */
  bad: { line: number; text: string }[];
  badBytes: number;
}

/** The report's entries held before they are written out (with the bad lines' text, up to 64 KB each). */
const MAX_HELD_REPORT = 4 * 1024 * 1024;

/**
 * Imports a JSONL or CSV file through a running server's /v1/batch, with the same validation,
 * a report of bad lines with their reasons, and resumable progress: the state file records the
 * last line up to which everything was acknowledged, with the counts, the report's length and a
 * digest of the lines at that line, so lines re-read after an interruption are counted and
 * reported once, a file appended to goes on with its new lines, and a file changed before that
 * line (or read with other options) is refused rather than resumed into other lines. Messages
 * without a messageId get one made from their content and line (without a time, and the lines
 * before it: line-id.ts), so a line sent again unchanged (after an interruption, a restart, or
 * when the file moved) is stored once. Before anything is read, the file, the report and the
 * progress are checked to be three files (import-files.ts).
 */
export async function runImport(o: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  const stdin = o.input !== undefined;
  // (Read from a stream, the path only names it in what is said.)
  const path = stdin ? 'stdin' : resolve(o.path);
  const st = stdin ? { size: 0, mtimeMs: 0 } : checkInputFile(path);
  // Until 2026-12-05 a --report or --state naming the file imported deleted or overwrote it.
  checkImportFiles({ path: stdin ? undefined : path, reportPath: o.reportPath, statePath: stdin ? undefined : o.statePath });
  const statePath = stdin ? undefined : o.statePath ?? defaultStatePath(path);
  // (For stdin a file of this run's own: until 2026-12-05 each run replaced stdin.rejected.jsonl.)
  const reportPath = o.reportPath ?? defaultReportPath(stdin ? undefined : path);
  const saved = o.restart || statePath === undefined || !existsSync(statePath) ? undefined : readState(statePath);
  const reading = readingOf(o);
  const server = serverOf(o.url);
  let state = stateOf({ size: st.size, mtimeMs: st.mtimeMs, digest: EMPTY_DIGEST, reading, server });
  // The digest the records up to the saved line must have; undefined: nothing to check.
  let expected: string | undefined;
  if (saved && saved.line) {
    const legacy = saved.digest === undefined;
    const unchanged = legacy ? saved.fileId === legacyFileId(path, st) : saved.size === st.size && saved.mtimeMs === st.mtimeMs;
    if (legacy && !unchanged) throw changed(path, saved);
    // Until 2026-12-05 the same command with another --url resumed where the first server's import
    // ended and said every line stored, though the new server had received none of them.
    if (saved.server !== undefined && saved.server !== server) {
      throw new Error(`The import of ${path} ${saved.done ? 'finished' : 'stopped'} at line ${saved.line} into ${saved.server}, not ${server}: that progress says nothing of what ${server} holds. `
        + `Pass --restart to import the file into ${server} from the first line (lines it stored before are recognised, not stored twice), or --state with another file to keep each server's progress apart.`);
    }
    if (saved.reading !== undefined && saved.reading !== reading) {
      throw otherReading(path, saved as typeof saved & { reading: string; line: number }, reading);
    }
    state = stateOf({ ...saved, reading, server, reportBytes: saved.reportBytes ?? sizeOf(reportPath) });
    expected = saved.digest;
    if (saved.done && unchanged) {
      return { bytes: st.size, totalBytes: st.size, lines: state.line, accepted: state.accepted, duplicates: state.duplicates, rejected: state.rejected, resumedFrom: state.line, acceptedNow: 0, seconds: 0, reportPath, complete: true };
    }
  }
  const resumedFrom = state.line;
  const acceptedBefore = state.accepted;
  const progress: ImportProgress = { bytes: 0, totalBytes: st.size, lines: state.line, accepted: state.accepted, duplicates: state.duplicates, rejected: state.rejected };
  // A CSV header that does not fit the map, or a file without a message, is said before anything
  // is written or sent: the records up to the first are read ahead (once: stdin cannot be read again).
  const records = readRecords(o.input ? o.path : path, o.format, o.map, { delimiter: o.delimiter, input: o.input });
  // What stopped the reading (a .gz file cut short), after the last record read whole: said once
  // the lines read before it are imported and the report notes it (below).
  let readError: unknown;
  const ahead = await readAhead(records, path, (err) => (readError = err));
  if (!ahead.some((r) => !r.header) && readError === undefined) {
    await records.return(undefined);
    throw new Error(`${path} holds no messages.`);
  }
  try {
    // What was reported past the saved line is reported again as those lines are re-read. The
    // report is written once a line is bad (no empty one is left), so where it goes is checked now.
    if (state.line === 0 || state.reportBytes === 0) rmSync(reportPath, { force: true });
    else if (sizeOf(reportPath) > state.reportBytes) truncateSync(reportPath, state.reportBytes);
    accessSync(existsSync(reportPath) ? reportPath : dirname(reportPath), constants.W_OK);
    state.reportBytes = sizeOf(reportPath);
  } catch (err) {
    await records.return(undefined);
    throw new Error(`Cannot write the report of bad lines to ${reportPath} (${(err as Error).message}); pass --report with a file that can be written.`);
  }
  const saveState = () => {
    if (statePath === undefined) return;
    writeFileSync(`${statePath}.tmp`, JSON.stringify(state));
    renameSync(`${statePath}.tmp`, statePath);
  };
  try {
    saveState();
  } catch (err) {
    await records.return(undefined);
    throw new Error(`Cannot save the import's progress in ${statePath} (${(err as Error).message}); pass --state with a file that can be written.`);
  }

  const inflight: Segment[] = [];
  const running = new Set<Promise<void>>();
  const limit = o.concurrency ?? 4;
  const maxBatch = Math.min(500, o.batchSize ?? 500);
  const segment = (): Segment => ({ lastLine: 0, digest: '', settled: false, accepted: 0, duplicates: 0, bad: [], badBytes: 0 });
  // The digest of the records read and handled so far (see ImportState.digest).
  const digest = createHash('sha256');
  let current = segment();
  let batch: { line: number; message: Record<string, unknown>; rec: Reported }[] = [];
  let batchBytes = 0;
  let stop = false;
  let failure: unknown;
  // A CSV record is shown in the report as a line of CSV again.
  const csvDelimiter = o.format === 'csv' ? o.delimiter ?? ',' : undefined;
  const report = (seg: Segment, line: number, reason: string, problems: unknown, rec: Reported | undefined) => {
    const text = reportEntry({ line, reason, problems }, rec, csvDelimiter);
    seg.bad.push({ line, text });
    seg.badBytes += text.length;
  };

  // Counts and reports the answered segments in file order, then saves the line they reach with them.
  const advance = () => {
    let text = '';
    while (inflight.length && inflight[0].settled) {
      const seg = inflight.shift() as Segment;
      for (const b of seg.bad.sort((x, y) => x.line - y.line)) text += b.text + '\n';
      state.rejected += seg.bad.length;
      state.accepted += seg.accepted;
      state.duplicates = state.duplicates === null || seg.duplicates === undefined ? null : state.duplicates + seg.duplicates;
      state.line = Math.max(state.line, seg.lastLine);
      state.digest = seg.digest;
      // A finished import going on with lines appended since is unfinished until they are imported.
      state.done = false;
      state.size = st.size;
      state.mtimeMs = st.mtimeMs;
    }
    if (text) {
      appendFileSync(reportPath, text);
      state.reportBytes += Buffer.byteLength(text);
    }
    progress.lines = state.line;
    progress.accepted = state.accepted;
    progress.duplicates = state.duplicates;
    progress.rejected = state.rejected;
    saveState();
    o.onProgress?.(progress);
    if (o.stopAfterLines !== undefined && state.line >= o.stopAfterLines) stop = true;
  };

  const flush = async (lastLine: number) => {
    const seg = current;
    seg.lastLine = lastLine;
    seg.digest = digestOf(digest);
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
    const task = sendBatch(o.url, o.writeKey, items.map((i) => i.message)).then(({ rejected, duplicates }) => {
      const bad = new Map(rejected.map((r) => [r.index, r]));
      items.forEach((it, i) => {
        const r = bad.get(i);
        if (r) report(seg, it.line, serverReason(r.problems), r.problems, it.rec);
        else seg.accepted += 1;
      });
      seg.duplicates = duplicates;
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

  // Batches a record's message, or reports why it has none; a full batch is sent first.
  const take = async (rec: ImportRecord) => {
    if (rec.header) return;
    // A batch's worth of bad lines (or 4 MB of their entries) is written out, and the progress
    // saved, without waiting for a good line to send: a file of bad lines is reported as it goes,
    // not held in memory to its end.
    if (current.bad.length >= maxBatch || current.badBytes >= MAX_HELD_REPORT) await flush(rec.line - 1);
    if (rec.error || !rec.message) {
      report(current, rec.line, rec.error ?? 'empty record', undefined, rec);
      return;
    }
    const m = rec.message;
    // null is no id to the server (which would make a random one): such a line gets one too. The
    // digest is that of the records before this one (it is updated once a record is handled).
    if (m.messageId === undefined || m.messageId === null) m.messageId = lineId(m, rec.line, () => digestOf(digest));
    // A line's own `writeKey` (analytics.js puts one on each call; never stored) is not the import's
    // key: sent on, one since revoked stopped the whole import with a refusal of "the write key".
    // Dropped after the line's id is made, so ids are those of earlier imports.
    if (Object.hasOwn(m, 'writeKey')) delete m.writeKey;
    // Checked as it is sent (what the server measures against 32 KB): with the messageId and the
    // time the import sets.
    const unreadable = settleEventTime(m);
    if (unreadable) {
      report(current, rec.line, unreadable.message, [unreadable], rec);
      return;
    }
    const n = normalizeMessage(m, undefined, { receivedAt: Date.now() });
    if (!n.ok) {
      report(current, rec.line, n.tooLarge ? tooLargeReason(n.problems[0].message, o.format === 'jsonl' ? rec.text : undefined) : n.problems[0].message, n.problems, rec);
      return;
    }
    // Its bytes as sent, which the check above measured (without serialising it again).
    const size = n.sent;
    if (batch.length >= maxBatch || batchBytes + size > 450 * 1024) await flush(rec.line - 1);
    batch.push({ line: rec.line, message: m, rec });
    batchBytes += size;
  };

  // The lines before the saved one are read again, not sent, to check they are the lines imported.
  let verified = expected === undefined;
  const verify = () => {
    verified = true;
    if (digestOf(digest) !== expected) throw changed(path, state);
  };
  // The last line read: once the file ends, every line up to it is handled.
  let lastRead = resumedFrom;
  // A record the file cannot be read past (read-records.ts, MAX_LINE_BYTES): the import stops at it.
  let halt: ImportRecord | undefined;
  // The last record read whole, before what stopped the reading (readError).
  let reached = 0;
  for await (const rec of withAhead(ahead, records, (err) => (readError = err))) {
    reached = rec.line;
    progress.bytes = rec.bytes;
    if (o.signal?.aborted) stop = true;
    if (rec.line > resumedFrom) {
      if (!verified && !stop) verify();
      if (stop) break;
      if (rec.stop) {
        halt = rec;
        break;
      }
      lastRead = rec.line;
      await take(rec);
    } else if (stop) break;
    // After the record is handled: a batch flushed for it holds the lines before it.
    digest.update(`${rec.line}\u0000${rec.text}\u0001`);
  }
  // Stopped (or the reading failed) while re-reading the lines before the saved one: nothing was
  // sent, nothing to check, and the progress saved stays as it is.
  if (!verified && !stop && readError === undefined) {
    // The file ends before the line the import reached: shorter now, which is what to say.
    if (reached < resumedFrom) throw changed(path, state, reached);
    verify();
  }
  // Every line before the one halted at (or the reading failed after) is handled.
  if (!stop && verified) await flush(halt ? halt.line - 1 : lastRead);
  await Promise.all(running);
  if (failure) throw failure;
  advance();
  // Until 2026-12-05 said as the bare "unexpected end of file", its lines read not sent; and until
  // 2026-12-05 the line it stops in was in no report. Noted past the report's saved length, as a
  // record halted at is: the run after reads that line again, once the file is whole.
  if (readError !== undefined) {
    const cut = cutLineOf(readError);
    const last = cut ? cut.line - 1 : reached;
    const { entry, rec, cut: partial } = readFailureEntry(readError, last);
    appendFileSync(reportPath, reportEntry(entry, rec) + '\n');
    throw readFailure(path, readError, { reached: last, saved: state.line, stdin, report: { path: reportPath, line: entry.line, cut: partial } });
  }
  if (halt) {
    // Past the report's saved length: once the record is mended the run after reads it again.
    appendFileSync(reportPath, reportEntry({ line: halt.line, reason: halt.error ?? '' }, halt, csvDelimiter) + '\n');
    throw new Error(`${path}: ${(halt.error ?? '').replace('on this line', `on line ${halt.line}`)}. The import stopped there, every line before it imported (the progress is saved, the line is in ${reportPath}): mend the record and run the same command again to go on from it.`);
  }
  const complete = !stop;
  if (complete) {
    state.done = true;
    saveState();
  }
  return { ...progress, bytes: complete && !stdin ? st.size : progress.bytes, resumedFrom, acceptedNow: state.accepted - acceptedBefore, seconds: (performance.now() - started) / 1000, reportPath, complete };
}

const EMPTY_DIGEST = digestOf(createHash('sha256'));

function digestOf(h: Hash): string {
  return h.copy().digest('base64url');
}

/** A state with its fields in one order (a state saved again unchanged is the same text). */
function stateOf(s: Partial<ImportState>): ImportState {
  // Progress saved by an import that did not count duplicates: not known among what it accepted.
  const duplicates = s.duplicates !== undefined ? s.duplicates : s.accepted ? null : 0;
  return { size: s.size ?? 0, mtimeMs: s.mtimeMs ?? 0, line: s.line ?? 0, accepted: s.accepted ?? 0, duplicates, rejected: s.rejected ?? 0, reportBytes: s.reportBytes ?? 0, done: s.done ?? false, digest: s.digest ?? EMPTY_DIGEST, reading: s.reading ?? '', ...(s.server !== undefined ? { server: s.server } : {}) };
}

/** The server a --url names, as progress records it: its origin and path, without a trailing slash. */
function serverOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return url;
  }
}

/** The options a file is read with, as the command line gives them. */
function readingOf(o: ImportOptions): string {
  if (o.format !== 'csv' || !o.map) return `--format ${o.format}`;
  const fields = o.map.fields.map((f) => `${f.path.join('.')}=${f.column}${f.as ? `:${f.as}` : ''}`).join(',');
  // (A comma, the default, is left out: progress saved before --delimiter reads the same.)
  const delimiter = o.delimiter !== undefined && o.delimiter !== ',' ? ` --delimiter ${JSON.stringify(o.delimiter)}` : '';
  return `--format csv${delimiter} --map "${fields}" --type ${o.map.type} --rest ${o.map.rest}`;
}

/**
 * The refusal to resume an import read with other options than the earlier one: what it used,
 * which options differ, and what to do (the same options, or --restart).
 *
 * @example
 * otherReading('/d/o.csv', { line: 4, done: true, reading: '--format csv --map "userId=user" --type track --rest properties' }, '--format csv --map "userId=nocol" --type track --rest properties').message;
 * // 'An earlier import of /d/o.csv read it with --format csv --map "userId=user" … and finished at line 4; this one gives another --map (--map "userId=nocol"). …'
 */
export function otherReading(path: string, saved: { line: number; done?: boolean; reading: string }, reading: string): Error {
  const before = optionsOf(saved.reading);
  const now = optionsOf(reading);
  const differ = [...new Set([...now.keys(), ...before.keys()])].filter((k) => before.get(k) !== now.get(k));
  const given = differ.filter((k) => now.has(k)).map((k) => `${k} ${now.get(k)}`).join(' ');
  const which = differ.length === 1 ? `another ${differ[0]}` : `other ${differ.slice(0, -1).join(', ')} and ${differ[differ.length - 1]}`;
  const todo = saved.done
    ? 'Pass --restart to import the file again from the first line with these options, or the earlier options to see that it is done.'
    : 'Pass the earlier options to resume it, or --restart to import the file from the first line with these.';
  return new Error(`An earlier import of ${path} read it with ${saved.reading} and ${saved.done ? 'finished' : 'stopped'} at line ${saved.line}; this one gives ${which}${given ? ` (${given})` : ''}. ${todo}`);
}

/** The options of a reading (readingOf), by name: `--map` → `"userId=user"`. */
function optionsOf(reading: string): Map<string, string> {
  return new Map([...reading.matchAll(/(--[a-z]+) ("[^"]*"|\S+)/g)].map((m) => [m[1], m[2]]));
}

/** How a state saved before the digest named its file. */
function legacyFileId(path: string, st: { size: number; mtimeMs: number }): string {
  return createHash('sha256').update(`${path}\u0000${st.size}\u0000${st.mtimeMs}`).digest('hex').slice(0, 16);
}

/** The refusal to resume in a file whose lines up to the saved one are not those imported. */
function changed(path: string, saved: { line?: number; done?: boolean }, lines?: number): Error {
  const n = saved.line ?? 0;
  const how = lines === undefined ? `its first ${n} lines changed since` : `it has ${lines} line${lines === 1 ? '' : 's'} now, fewer than the ${n} imported`;
  return new Error(`${path} is not the file whose import ${saved.done ? 'finished' : 'stopped'} at line ${n}: ${how}. `
    + 'Pass --restart to import it from the first line (a line stored before is recognised by its messageId, or without one by its content and line number — and, without a time, the lines before it — and not stored twice), '
    + 'or --state with another file to keep this progress apart.');
}

/**
 * Why a message over 32 KB as sent is refused; for a JSONL line within 32 KB as written, that it
 * is what the import adds that takes it over.
 */
function tooLargeReason(problem: string, line: string | undefined): string {
  const bytes = line === undefined ? Infinity : Buffer.byteLength(line);
  if (bytes > MAX_MESSAGE_BYTES) return problem;
  return `${problem} The line is ${bytes} bytes: what the import adds to send it (a messageId for a line without one; \`timestamp\` for the time corrected by \`sentAt\`) takes it over. Give the line a short messageId of its own, or shorten it.`;
}

function readState(statePath: string): SavedState | undefined {
  try {
    return JSON.parse(readFileSync(statePath, 'utf8')) as SavedState;
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

/**
 * The reason of a line the server refused: its problems' sentences, each naming the field, as a
 * line refused by the import's own checks gives its own (until 2026-12-06 "the server rejected the
 * message", the sentence only in `problems`).
 *
 * @example
 * serverReason([{ field: 'userId', message: 'The `userId` `null` is not an identifier …' }]); // 'The `userId` `null` is not an identifier …'
 */
export function serverReason(problems: unknown): string {
  const said = Array.isArray(problems) ? problems.map((p) => (p as { message?: unknown } | null)?.message).filter((m): m is string => typeof m === 'string' && m.trim() !== '') : [];
  return said.length ? said.join(' ') : 'the server rejected the message';
}
