import { createHash } from 'node:crypto';

/**
 * The messageId an import gives a line without one, so that the same line sent again (the file
 * re-sent unchanged, resumed, restarted, moved, touched or appended to) is recognised and stored
 * once, while two equal lines of one file stay two events:
 * - a line with a time (`timestamp` or `originalTimestamp`): its content and its line number;
 * - a line without one: its content, its line number and `before`, the digest of the records
 *   before it (the importer's running digest, ImportState.digest), so the same line in another
 *   file (or stdin run) whose earlier lines differ is another event — a heartbeat sent each day.
 *   Until 2026-12-05 such a line had the id of a line with a time: the same line at the same
 *   line number of any two files was stored once.
 * Two inputs equal up to a line are the same input to it: give events that may truly repeat a
 * messageId or a time of their own.
 *
 * @example
 * lineId({ type: 'track', userId: 'hb', event: 'Heartbeat' }, 2, () => digestOfLinesBefore); // 'import-…-2'
 */
export function lineId(m: Record<string, unknown>, line: number, before: () => string): string {
  const h = createHash('sha256').update(JSON.stringify(m));
  if (!hasTime(m)) h.update(`\u0000${before()}`);
  return `import-${h.digest('base64url').slice(0, 22)}-${line}`;
}

/** Whether a message says when it happened (the fields the collection API takes its time from). */
function hasTime(m: Record<string, unknown>): boolean {
  return (m.timestamp !== undefined && m.timestamp !== null) || (m.originalTimestamp !== undefined && m.originalTimestamp !== null);
}
