import { readIsoTime } from '../normalize.js';

/** The largest time a JavaScript Date holds, in ms either side of 1970. */
const MAX_DATE_MS = 8.64e15;

/**
 * Segment corrects a client's clock against the time it received the message:
 * `timestamp = receivedAt − (sentAt − originalTimestamp)`. A line of an import file was received
 * when it was first sent (its own `receivedAt`, in a Segment export), not when it is imported:
 * the correction is made here against that time (none when the file does not say it), and the
 * message goes on with the time it happened at as its `timestamp` and no `sentAt`.
 * A message without `sentAt`, or with a time that is not one, is left for the server to judge.
 *
 * @example
 * settleEventTime({ originalTimestamp: '2024-03-01T10:00:00Z', sentAt: '2024-03-01T10:00:01Z', receivedAt: '2024-03-01T10:00:06Z' });
 * // → timestamp '2024-03-01T10:00:05.000Z'
 */
export function settleEventTime(m: Record<string, unknown>): void {
  if (m.sentAt === undefined || m.sentAt === null) return;
  const sent = time(m.sentAt);
  const given = m.originalTimestamp ?? m.timestamp;
  const original = given === undefined || given === null ? null : time(given);
  const received = m.receivedAt === undefined || m.receivedAt === null ? null : time(m.receivedAt);
  if (sent === undefined || original === undefined || received === undefined) return;
  const at = original !== null ? (received !== null ? received - (sent - original) : original) : received;
  if (at === null || !(Math.abs(at) <= MAX_DATE_MS)) return;
  delete m.sentAt;
  delete m.originalTimestamp;
  m.timestamp = new Date(Math.round(at)).toISOString();
}

/** A time as the collection API reads it (an ISO-8601 string, offsetless as UTC, or epoch ms), or undefined when it is none. */
function time(v: unknown): number | undefined {
  const ms = typeof v === 'string' ? readIsoTime(v) : typeof v === 'number' ? v : NaN;
  return Math.abs(ms) <= MAX_DATE_MS ? ms : undefined;
}
