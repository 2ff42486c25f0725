import { createWriteStream, existsSync, openSync, renameSync, statSync, type WriteStream } from 'node:fs';
import type { SendTime } from '../../models/send-time/send-at.js';

/** A decision line of the batch stream, as written out. */
export interface BatchDecision {
  subject: string;
  profileId: string;
  /** The person's userId and email (the oldest of each), to send to; absent when the profile has none. */
  userId?: string;
  email?: string;
  decision: {
    decisionId: string;
    placement: string;
    /** `holdout` when the policy's holdout kept the subject out of automated decisions, else `treatment`. */
    arm?: string;
    /**
     * As the decision API shows them. `exposurePropensity`: the probability that what the choice
     * shows was shown (a held action's stand-in sums every route to it; absent when it is `propensity`).
     */
    choices: { rank: number; kind: string; action?: string; variant?: string; queue?: string; score?: number; propensity?: number; exposurePropensity?: number; held?: { action: string; reviewId: string }; explanation?: string }[];
    /** Candidates excluded per pipeline stage (`contact policy` among them: caps, budgets, quiet hours). */
    explanation?: { excludedByStage?: Record<string, number> };
  };
  /** Outbound channels: when to send, and the send-time Estimate behind it. */
  sendTime?: SendTime;
}

/**
 * The CSV header: one row per choice. `exposurePropensity` is empty where the choice had one route
 * (then it is `propensity`): off-policy estimates of what was shown weigh by it where it is set.
 * What JSONL says of a decision being held is in the last columns: `arm` (`holdout` when the
 * policy's holdout kept the subject out), `heldAction` and `heldReviewId` (the high-stakes action
 * held for a person's review, the choice being its stand-in) and `contactPolicyExcluded` (how many
 * candidates the contact policy's caps, budgets and quiet hours held back); then `userId` and
 * `email`, the person's (empty when the profile has none); after the others, so that a reader by
 * position of the older header reads on unchanged.
 * @example CSV_COLUMNS.join(',')
 */
export const CSV_COLUMNS = ['subject', 'profileId', 'decisionId', 'placement', 'rank', 'kind', 'action', 'variant', 'queue', 'score', 'propensity', 'exposurePropensity', 'explanation', 'sendAt', 'sendSlot', 'sendTimeValue', 'sendTimeLow', 'sendTimeHigh', 'sendTimeSource', 'sendTimeStatus', 'arm', 'heldAction', 'heldReviewId', 'contactPolicyExcluded', 'userId', 'email'];

/**
 * One CSV field, quoted when it needs to be (RFC 4180), and never run as a formula by the
 * spreadsheet an operator opens the file in: a trait, an action name or a user id can start with
 * `=`, `+`, `-`, `@`, a tab or a carriage return, which Excel, LibreOffice and Google Sheets read as
 * a formula (`=HYPERLINK(…)` sends the sheet's data away). As OWASP's "CSV Injection" page
 * (owasp.org/www-community/attacks/CSV_Injection) advises, such a text cell gets a single quote
 * in front, so that it is shown as text (the quote too, in some spreadsheets); a cell holding `;`
 * or a tab is quoted as well, since a spreadsheet whose list separator is one of those would split
 * it into a cell that starts with the formula. Numbers are not text: a score of -0.5 stays a number.
 *
 * @example csvField('a,b') // '"a,b"'
 * @example csvField('=1+1') // "'=1+1"
 */
export function csvField(v: unknown): string {
  const raw = v === undefined || v === null ? '' : String(v);
  const s = typeof v === 'string' && /^[=+\-@\t\r]/.test(v) ? `'${raw}` : raw;
  return /[",;\t\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The CSV rows of one decision: one per choice, each with every column of the header (empty when
 * it does not apply), as strict readers (a database's COPY) expect.
 *
 * @example
 * csvRows(line); // ['profile:01J…,01J…,01K…,weekly-email,1,action,shoes-offer,a,,2.8,0.97,…']
 */
export function csvRows(d: BatchDecision): string[] {
  const t = d.sendTime;
  const when = [t?.sendAt, t?.label, t?.estimate.value, t?.estimate.low, t?.estimate.high, t?.estimate.source, t?.estimate.status];
  const noWhen = when.map(() => undefined);
  const byStage = d.decision.explanation?.excludedByStage;
  // (The view lists only the stages that excluded any: none by the contact policy is 0, unless the line has no counts at all.)
  const contact = byStage ? (byStage['contact policy'] ?? 0) : undefined;
  return d.decision.choices.map((c) => {
    const held = [d.decision.arm, c.held?.action, c.held?.reviewId, contact];
    const fields = [d.subject, d.profileId, d.decision.decisionId, d.decision.placement, c.rank, c.kind, c.action, c.variant, c.queue, c.score, c.propensity, c.exposurePropensity, c.explanation, ...(c.kind === 'action' ? when : noWhen), ...held, d.userId, d.email];
    return CSV_COLUMNS.map((_, i) => csvField(fields[i])).join(',');
  });
}

/**
 * Whether `--out` names this process's stdout (`-` or /dev/stdout): the decisions are written
 * there, and what the command says goes to stderr.
 *
 * @example
 * isStdout('-'); // true
 */
export function isStdout(path: string): boolean {
  return path === '-' || path === '/dev/stdout';
}

/**
 * Renames the file at `path`, if there is one, to `<path>.<its time>` (as 2026-12-04T03-20-00-000Z)
 * and answers its new name: what an earlier run left there is kept, not written over.
 *
 * @example
 * moveAside('send.csv.partial'); // 'send.csv.partial.2026-12-04T03-20-00-000Z'
 */
export function moveAside(path: string): string | undefined {
  if (!existsSync(path) || !statSync(path).isFile()) return undefined;
  const aside = `${path}.${new Date(statSync(path).mtimeMs).toISOString().replace(/[:.]/g, '-')}`;
  renameSync(path, aside);
  return aside;
}

/**
 * Writes decisions as JSONL (one decision per line) or CSV (one row per choice, with a header),
 * to `<path>.partial` until `close(true)` renames it to `path`: a run cut short never leaves a
 * file that looks complete, nor replaces the last complete one; an earlier run's `.partial` is
 * kept as `<path>.partial.<its time>`.
 *
 * @example
 * const w = openDecisionWriter('out.csv', 'csv'); w.write(line); await w.close(true);
 */
export function openDecisionWriter(path: string, format: 'jsonl' | 'csv'): { partialPath: string; write(d: BatchDecision): void; close(complete: boolean): Promise<void> } {
  // A device or a pipe (/dev/stdout, a named pipe) is written straight: it has no complete state to keep.
  const stdout = isStdout(path);
  const stream = stdout || (existsSync(path) && !statSync(path).isFile() && !statSync(path).isDirectory());
  const partialPath = stream ? path : `${path}.partial`;
  // Opened at once, so that a path that cannot be written fails before any decision is made.
  // This process's own stdout by its descriptor: opening /dev/stdout fails (ENXIO) when it is a
  // socket, as under a service manager or a parent process's pipe.
  let fd = 1;
  if (!stdout) {
    try {
      if (existsSync(path) && statSync(path).isDirectory()) throw Object.assign(new Error('it is a folder'), { code: 'EISDIR' });
      // An earlier run cut short left its decisions here, and the run that finishes the job decides
      // afresh: they are moved aside, named by when they were written, not overwritten.
      if (!stream) moveAside(partialPath);
      fd = openSync(partialPath, 'w');
    } catch (err) {
      throw new Error(`Cannot write the decisions to ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'its folder does not exist' : (err as Error).message}.`);
    }
  }
  const out: WriteStream = createWriteStream(partialPath, { fd, autoClose: !stdout });
  let failed: Error | undefined;
  out.on('error', (err) => (failed ??= err));
  if (format === 'csv') out.write(CSV_COLUMNS.join(',') + '\n');
  return {
    partialPath,
    write(d) {
      out.write(format === 'csv' ? csvRows(d).map((r) => r + '\n').join('') : JSON.stringify(d) + '\n');
    },
    close: (complete) =>
      new Promise((resolve, reject) =>
        out.end((err?: Error | null) => {
          const e = failed ?? err;
          if (e) return reject(new Error(`Writing the decisions to ${partialPath} failed: ${e.message}.`));
          try {
            if (complete && !stream) renameSync(partialPath, path);
            resolve();
          } catch (renameErr) {
            reject(new Error(`The decisions are in ${partialPath}, but it could not be renamed to ${path}: ${(renameErr as Error).message}.`));
          }
        }),
      ),
  };
}
