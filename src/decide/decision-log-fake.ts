import type { DecisionStore, OutcomePosition } from './decision-store.js';
import type { ContactRow, OutcomeRecord } from './records.js';

/** A contact as the fake log holds it (the placement is optional). */
export type FakeContact = Omit<ContactRow, 'placement'> & { placement?: string };

/**
 * The reads a DecideState makes of the decision log, answered from arrays with the same semantics
 * as the stores' queries (time ranges, `contactsOf`'s inclusive end, minutes of volume, `anon:`
 * keys), and every call counted — for tests of the state without a store.
 *
 * @example
 * const log = fakeDecisionLog({ contacts: [{ profileKey: 'p1', at: 0, action: 'promo', channel: 'email', decisionId: 'd1' }] });
 * await state.rebuild(log.store, () => [], Date.now());
 */
export function fakeDecisionLog(o: { contacts?: FakeContact[]; outcomes?: OutcomeRecord[] } = {}) {
  const contacts = o.contacts ?? [];
  const outcomes = o.outcomes ?? [];
  /** Subjects' reads (`contactsOf`, `newestContactsOfKey`) and the contact rows every read returned. */
  const calls = { contactsOf: 0, rows: 0 };
  const row = (c: FakeContact): ContactRow => ({ placement: 'p', ...c });
  const ordered = () => [...contacts].sort((a, b) => a.at - b.at);
  const store = {
    contactsSince: async (since: number, before = Infinity) => {
      const rows = ordered().filter((c) => c.at >= since && c.at < before).map(row);
      calls.rows += rows.length;
      return rows;
    },
    contactsOf: async (keys: readonly string[], from: number, to: number) => {
      calls.contactsOf++;
      const rows = ordered().filter((c) => keys.includes(c.profileKey) && c.at >= from && c.at <= to).map(row);
      calls.rows += rows.length;
      return rows;
    },
    newestContactsOfKey: async (key: string, from: number, to: number, limit: number) => {
      calls.contactsOf++; // a subject's read, counted with `contactsOf`'s
      const rows = ordered().filter((c) => c.profileKey === key && c.at >= from && c.at <= to).reverse().slice(0, limit).map(row);
      calls.rows += rows.length;
      return rows;
    },
    contactVolumes: async (from: number, to: number) => {
      const n = new Map<string, { channel: string; action: string; minute: number; n: number }>();
      for (const c of contacts) {
        if (c.at < from || c.at >= to) continue;
        const minute = Math.floor(c.at / 60_000);
        const k = `${c.channel}|${c.action}|${minute}`;
        const v = n.get(k);
        if (v) v.n++;
        else n.set(k, { channel: c.channel, action: c.action, minute, n: 1 });
      }
      return [...n.values()];
    },
    positionsOf: async () => [],
    successesOf: async (ids: readonly string[]) => [
      ...new Map(outcomes.filter((x) => x.success && x.action && x.decisionId && ids.includes(x.decisionId)).map((x) => [`${x.decisionId}|${x.action}`, { decisionId: x.decisionId as string, action: x.action as string }])).values(),
    ],
    anyContact: async (from: number, to: number) => contacts.some((c) => c.at >= from && c.at < to),
    anonymousKeys: async (from: number, to: number) => [...new Set(contacts.filter((c) => c.profileKey.startsWith('anon:') && c.at >= from && c.at < to).map((c) => c.profileKey))],
    outcomesSince: async (since: number, s?: { successesSince?: number; before?: number }) =>
      outcomes
        .filter((x) => x.at >= since && x.at < (s?.before ?? Infinity))
        .filter((x) => !s || x.type === 'dismissal' || (x.success && x.at >= (s.successesSince ?? since)))
        .sort((a, b) => a.at - b.at),
    // The log's order is (at, seq), seq the order written: here the array's (a stable sort by time).
    outcomesPage: async (since: number, page: { after?: OutcomePosition; limit: number }) => {
      const after = page.after ?? { at: since, seq: 0 };
      const rows = outcomes
        .map((x, i) => ({ x, seq: i + 1 }))
        .filter(({ x, seq }) => x.at >= since && (x.at > after.at || (x.at === after.at && seq > after.seq)))
        .sort((a, b) => a.x.at - b.x.at || a.seq - b.seq)
        .slice(0, page.limit);
      const last = rows[rows.length - 1];
      return { outcomes: rows.map((r) => r.x), ...(last && rows.length >= page.limit ? { next: { at: last.x.at, seq: last.seq } } : {}) };
    },
    trialCounts: async () => [],
    successCounts: async () => [],
    groupCounts: async () => [],
    openFlags: async () => [],
    liveHolds: async () => [],
  } as unknown as DecisionStore;
  return { store, calls, contacts, outcomes };
}
