import type { ConsentHistory, ConsentHistoryRow } from './profile-store.js';
import { consentPrefs, purposeKey, purposeName, RECENT_EVENTS, statedConsent } from './profile-state.js';

/** One stored event as the rebuild reads it: its order (event time, then sequence) and its message. */
export interface ConsentEvent {
  seq: number;
  timestamp: number;
  messageId: string;
  message: { context?: Record<string, unknown> };
}

/**
 * A profile's consent history as the event-time order of its messages gives it, from the history
 * stored before `since` (exact: no statement before it arrived after a newer one of its purpose,
 * ProfileState.consentLateSince) and the profile's stored events of event time `since` or later —
 * its own and those of the profiles merged into it. The events are folded as applyMessage folds
 * consent: by event time, on equal times the later sequence number last (the later arrival wins,
 * except that a grant does not replace a refusal of the same time), and a row is a message that
 * changed at least one purpose. A purpose is one whatever the case it
 * was sent in (purposeKey), under the name it first had; a value not `true` reads as not granted.
 * Newest first, as the stored history is read, at most `limit` rows.
 *
 * @example
 * consentHistoryFrom(5, [{ at: 1, messageId: 'a', changes: { Ads: true } }], [ev(7, 'b', { Ads: false })], 50);
 * // → [{ at: 7, messageId: 'b', changes: { Ads: false } }, { at: 1, messageId: 'a', changes: { Ads: true } }]
 */
export function consentHistoryFrom(since: number, before: readonly ConsentHistoryRow[], events: readonly ConsentEvent[], limit: number): ConsentHistoryRow[] {
  // `before` may come in any order: the value of each purpose just before `since` is its last row's.
  const kept = before.filter((r) => r.at < since).map((r, i) => ({ r, i }));
  kept.sort((a, b) => a.r.at - b.r.at || a.i - b.i);
  const value = new Map<string, { name: string; granted: boolean; at: number }>();
  for (const { r } of kept) {
    for (const [p, v] of Object.entries(r.changes)) {
      const key = purposeKey(p);
      value.set(key, { name: value.get(key)?.name ?? purposeName(p), granted: v, at: r.at });
    }
  }
  const rebuilt: ConsentHistoryRow[] = [];
  const ordered = events.filter((e) => e.timestamp >= since).sort((a, b) => a.timestamp - b.timestamp || a.seq - b.seq);
  for (const e of ordered) {
    const prefs = consentPrefs({ context: e.message.context ?? {} });
    if (!prefs) continue;
    const changes: Record<string, boolean> = {};
    let changed = false;
    for (const [key, { name, granted }] of statedConsent(prefs)) {
      const cur = value.get(key);
      if (cur?.granted === granted) {
        cur.at = e.timestamp;
        continue;
      }
      // On equal times the refusal stands (applyConsent): a grant of the same time does not replace it.
      if (cur && cur.at === e.timestamp && !cur.granted) continue;
      value.set(key, { name: cur?.name ?? name, granted, at: e.timestamp });
      changes[cur?.name ?? name] = granted;
      changed = true;
    }
    if (changed) rebuilt.push({ at: e.timestamp, messageId: e.messageId, changes });
  }
  return [...kept.map((k) => k.r), ...rebuilt].reverse().slice(0, Math.max(0, limit));
}

/** Whether a profile's consent history answer is the event-time history, and if not from when and why (the API's `consentHistoryStatus`). */
export type ConsentHistoryStatus =
  | { complete: true }
  | { complete: false; incompleteSince: string; cause: 'late_statement' | 'merge' | 'unknown'; note: string };

/**
 * What a profile answer says about its consent history: complete, or — when the store could not
 * rebuild it (ConsentHistory.incomplete: the embedded store reads only the profile's newest events)
 * — from when its rows may miss changes or show them out of order, and why, in a sentence for an
 * auditor.
 *
 * @example
 * consentHistoryStatus({ rows: [], incomplete: { since: 0, cause: 'merge' } }).note;
 * // → 'From 1970-01-01T00:00:00.000Z on, this history may miss consent changes or show …'
 */
export function consentHistoryStatus(h: ConsentHistory): ConsentHistoryStatus {
  if (!h.incomplete) return { complete: true };
  const since = new Date(h.incomplete.since).toISOString();
  const cause = h.incomplete.cause ?? 'unknown';
  const why = cause === 'late_statement'
    ? `a consent statement of that time arrived after newer ones (a queue flushed late), and it is older than the profile's ${RECENT_EVENTS} newest events`
    : cause === 'merge'
      ? `this profile was merged with another that also held consent statements from that time on, and their events since then are more than the profile's ${RECENT_EVENTS} newest`
      : `a consent statement arrived late or two profiles with consent were merged, and the events since then are more than the profile's ${RECENT_EVENTS} newest`;
  return {
    complete: false,
    incompleteSince: since,
    cause,
    note: `From ${since} on, this history may miss consent changes or show them out of order: ${why}, which is all the embedded store rebuilds the history from (it does not scan its event log, which has no index by profile). The current \`consent\` is exact; the rows before that time are exact; on PostgreSQL the whole history is rebuilt exactly.`,
  };
}
