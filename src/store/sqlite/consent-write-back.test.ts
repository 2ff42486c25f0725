import { describe, expect, it } from 'vitest';
import type { Message } from '../../collect/message.js';
import { applyMessage, newProfileState, noteEventSeq, type ProfileState } from '../../profiles/profile-state.js';
import { ConsentWriteBack } from './consent-write-back.js';
import { migrate, openDatabase } from './database.js';

const msg = (id: string, t: number, prefs: Record<string, boolean>): Message => ({
  messageId: id, type: 'track', event: 'Page Viewed', properties: {}, context: { consent: { categoryPreferences: prefs } }, timestamp: t, receivedAt: t,
});

/** A store's tables and one profile: each message folded as ingest folds it, its event and consent row committed unless `uncommitted`. */
function setup() {
  const db = openDatabase(':memory:');
  migrate(db);
  const event = db.prepare('INSERT INTO events (seq, message_id, profile_id, type, event, ts, received_at, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const row = db.prepare('INSERT INTO consent_history (profile_id, at, message_id, changes) VALUES (?, ?, ?, ?)');
  let seq = 0;
  const fold = (s: ProfileState, m: Message, uncommitted = false) => {
    const change = applyMessage(s, m, []);
    noteEventSeq(s, ++seq, m.timestamp);
    if (uncommitted) return;
    event.run(seq, m.messageId, s.id, m.type, 'Page Viewed', m.timestamp, m.receivedAt, JSON.stringify(m));
    if (change) row.run(s.id, change.at, change.messageId, JSON.stringify(change.changes));
  };
  return { db, fold, wb: new ConsentWriteBack(db) };
}

describe('ConsentWriteBack', () => {
  it('replaces a marked history from its mark on with the event-time one, oldest first, and clears the mark; unmarked states write nothing', () => {
    const { fold, wb } = setup();
    const p = newProfileState('p', 0);
    fold(p, msg('a', 10, { Ads: true }));
    fold(p, msg('b', 30, { Ads: false }));
    fold(p, msg('c', 20, { Ads: false })); // late: between a and b, it is the change to false
    const q = newProfileState('q', 0);
    fold(q, msg('d', 10, { Ads: true }));
    expect([p.consentLateSince, p.consentLateCause]).toEqual([20, 'late_statement']);
    const { ops, resolved } = wb.resolve([q, p], () => true);
    expect(resolved).toEqual([{ state: p, since: 20, cause: 'late_statement' }]);
    expect(p.consentLateSince).toBeUndefined();
    expect(p.consentLateCause).toBeUndefined();
    expect(ops).toEqual([
      { sql: expect.stringMatching(/^DELETE FROM consent_history WHERE profile_id = \? AND at >= \?/), rows: [['p', 20]] },
      { sql: expect.stringMatching(/^INSERT INTO consent_history/), rows: [['p', 20, 'c', '{"Ads":false}']] },
    ]);
  });

  it('leaves the mark while an event of the state is not committed, while a merge or identity of it is not, or when the 50 newest events do not cover it', () => {
    const { fold, wb } = setup();
    const p = newProfileState('p', 0);
    fold(p, msg('a', 10, { Ads: true }));
    fold(p, msg('b', 30, { Ads: false }));
    fold(p, msg('c', 20, { Ads: false }));
    fold(p, msg('d', 40, { Ads: true }), true);
    expect(wb.resolve([p], () => true)).toEqual({ ops: [], resolved: [] });
    expect(p.consentLateSince).toBe(20);
    const r = newProfileState('r', 0);
    fold(r, msg('a2', 10, { Ads: true }));
    fold(r, msg('b2', 30, { Ads: false }));
    fold(r, msg('c2', 20, { Ads: false }));
    expect(wb.resolve([r], () => false)).toEqual({ ops: [], resolved: [] });
    expect(r.consentLateSince).toBe(20);
    const o = newProfileState('o', 0);
    for (let i = 0; i < 60; i++) fold(o, msg(`o${i}`, 100 + i, { Ads: i % 2 === 0 }));
    fold(o, msg('old', 50, { Ads: false })); // older than the 50 newest
    expect(wb.resolve([o], () => true)).toEqual({ ops: [], resolved: [] });
    expect([o.consentLateSince, o.consentLateCause]).toEqual([50, 'late_statement']);
  });

  it('resolves at most its budget of marks a chunk; the others keep theirs', () => {
    const { fold, wb } = setup();
    const states = Array.from({ length: 12 }, (_, i) => {
      const s = newProfileState(`p${i}`, 0);
      fold(s, msg(`a${i}`, 10, { Ads: true }));
      fold(s, msg(`b${i}`, 30, { Ads: false }));
      fold(s, msg(`c${i}`, 20, { Ads: false }));
      return s;
    });
    expect(wb.resolve(states, () => true).resolved.map((r) => r.state.id)).toEqual(states.slice(0, 10).map((s) => s.id));
    expect(states.map((s) => s.consentLateSince)).toEqual([...Array<undefined>(10).fill(undefined), 20, 20]);
  });

  it('puts a mark back when its write failed, unless the state was marked earlier since', () => {
    const a = newProfileState('a', 0);
    a.consentLateSince = 30;
    a.consentLateCause = 'late_statement';
    const b = newProfileState('b', 0);
    b.consentLateSince = 5;
    b.consentLateCause = 'late_statement';
    ConsentWriteBack.restore([{ state: a, since: 20, cause: 'merge' }, { state: b, since: 20, cause: 'merge' }]);
    expect([a.consentLateSince, a.consentLateCause]).toEqual([20, 'merge']);
    expect([b.consentLateSince, b.consentLateCause]).toEqual([5, 'late_statement']);
  });
});
