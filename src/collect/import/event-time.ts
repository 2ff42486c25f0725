import type { FieldProblem } from '../../errors/tact-error.js';
import { readIsoTime } from '../normalize.js';

/** The largest time a JavaScript Date holds, in ms either side of 1970. */
const MAX_DATE_MS = 8.64e15;

/**
 * Segment corrects a client's clock against the time it received the message:
 * `timestamp = receivedAt − (sentAt − originalTimestamp)`. A line of an import file was received
 * when it was first sent (its own `receivedAt`, in a Segment export), not when it is imported:
 * the correction is made here against that time (none when the file does not say it), and the
 * message goes on with the time it happened at as its `timestamp` and no `sentAt`.
 * A message without `sentAt`, or with a `sentAt` or `timestamp` that is not a time, is left for the
 * server to judge (it names them). A `receivedAt` that is not a time is the import's to refuse,
 * naming it: the server does not read it, and would correct the clock against the import's own time
 * of receipt — moving an event of months ago to today (until 2026-12-08 it did).
 *
 * @example
 * settleEventTime({ originalTimestamp: '2024-03-01T10:00:00Z', sentAt: '2024-03-01T10:00:01Z', receivedAt: '2024-03-01T10:00:06Z' });
 * // → timestamp '2024-03-01T10:00:05.000Z'
 */
export function settleEventTime(m: Record<string, unknown>): FieldProblem | undefined {
  const received = m.receivedAt === undefined || m.receivedAt === null ? null : time(m.receivedAt);
  if (received === undefined) {
    const shown = typeof m.receivedAt === 'string' ? JSON.stringify(m.receivedAt.length > 60 ? `${m.receivedAt.slice(0, 59)}…` : m.receivedAt) : `of type ${Array.isArray(m.receivedAt) ? 'array' : typeof m.receivedAt}`;
    return { field: 'receivedAt', message: `The \`receivedAt\` ${shown} is not a time (an ISO-8601 date-time, or milliseconds since 1970): an imported line's \`receivedAt\` is when it was first received, which the import corrects the client's clock against. Fix it, or leave it out.` };
  }
  if (m.sentAt === undefined || m.sentAt === null) return undefined;
  const sent = time(m.sentAt);
  const given = m.originalTimestamp ?? m.timestamp;
  const original = given === undefined || given === null ? null : time(given);
  if (sent === undefined || original === undefined) return undefined;
  const at = original !== null ? (received !== null ? received - (sent - original) : original) : received;
  if (at === null || !(Math.abs(at) <= MAX_DATE_MS)) return undefined;
  delete m.sentAt;
  delete m.originalTimestamp;
  m.timestamp = new Date(Math.round(at)).toISOString();
  return undefined;
}

/** A time as the collection API reads it (an ISO-8601 string, offsetless as UTC, or epoch ms), or undefined when it is none. */
function time(v: unknown): number | undefined {
  const ms = typeof v === 'string' ? readIsoTime(v) : typeof v === 'number' ? v : NaN;
  return Math.abs(ms) <= MAX_DATE_MS ? ms : undefined;
}
