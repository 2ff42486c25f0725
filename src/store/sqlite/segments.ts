import type { Membership, RecordedTransition, SegmentCount, SegmentStore, SegmentTransition } from '../../segments/segment-store.js';
import type { Db } from './database.js';
import type { SqliteWriter, WriteOp } from './writer.js';

const M_COLS = 'segment, profile_id AS profileId, since';
const T_COLS = 'id, segment, profile_id AS profileId, kind, at, seq, version, reason';
const EPOCH_IS = '(SELECT epoch FROM config_epoch WHERE id = 1) = ?';
const SQL = {
  enter: 'INSERT INTO segment_members (segment, profile_id, since) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
  leave: 'DELETE FROM segment_members WHERE segment = ? AND profile_id = ?',
  // The same, only while the configuration epoch is the one the changes were found under (its last parameter).
  enterAt: `INSERT INTO segment_members (segment, profile_id, since) SELECT ?, ?, ? WHERE ${EPOCH_IS} ON CONFLICT DO NOTHING`,
  leaveAt: `DELETE FROM segment_members WHERE segment = ? AND profile_id = ? AND ${EPOCH_IS}`,
  // changes() is the row count of the statement just before: record only real changes of membership.
  record: 'INSERT INTO segment_events (segment, profile_id, kind, at, seq, version, reason) SELECT ?, ?, ?, ?, ?, ?, ? WHERE changes() = 1',
  // One exit of reason `erased` per segment the subject is in or has entries and exits (other than
  // such exits) recorded in, with the segments version of its last event there (SegmentStore.eraseSubject).
  erasedExits: `INSERT INTO segment_events (segment, profile_id, kind, at, seq, version, reason)
    SELECT s.segment, ?, 'exit', ?, 0, coalesce((SELECT e.version FROM segment_events e WHERE e.profile_id = ? AND e.segment = s.segment AND e.reason <> 'erased' ORDER BY e.id DESC LIMIT 1), 0), 'erased'
    FROM (SELECT segment FROM segment_members WHERE profile_id = ? UNION SELECT segment FROM segment_events WHERE profile_id = ? AND reason <> 'erased') AS s
    ORDER BY s.segment`,
};

/**
 * Segment membership on SQLite: reads on this connection, writes through the writer thread. One
 * writer at a time per database file and AUTOINCREMENT ids (learn-004) keep the events feed's cursor
 * in commit order and never reused.
 *
 * @example
 * const s = new SqliteSegmentStore(db, writer); // the store's `segments`
 */
export class SqliteSegmentStore implements SegmentStore {
  private readonly s;
  constructor(db: Db, private readonly writer: SqliteWriter) {
    this.s = {
      of: db.prepare(`SELECT ${M_COLS} FROM segment_members WHERE profile_id = ? ORDER BY segment`),
      members: db.prepare(`SELECT ${M_COLS} FROM segment_members WHERE segment = ? AND profile_id > ? ORDER BY profile_id LIMIT ?`),
      // Kept by triggers as members enter and leave (learn-005): one row per segment, none per member.
      counts: db.prepare('SELECT segment, members, entries, exits FROM segment_counts WHERE members <> 0 OR entries <> 0 OR exits <> 0'),
      transitions: db.prepare(`SELECT ${T_COLS} FROM segment_events WHERE segment = ? ORDER BY id DESC LIMIT ?`),
      after: db.prepare(`SELECT ${T_COLS} FROM segment_events WHERE segment = ? AND id > ? ORDER BY id LIMIT ?`),
      epoch: db.prepare('SELECT epoch FROM config_epoch WHERE id = 1').pluck(),
    };
  }

  async membershipsOf(profileId: string): Promise<Membership[]> {
    return this.s.of.all(profileId) as Membership[];
  }

  async apply(transitions: SegmentTransition[], epoch?: number): Promise<boolean> {
    if (!transitions.length) return epoch === undefined || (this.s.epoch.get() as number) === epoch;
    // Under `epoch` each change checks it as it writes (the writer holds the database's write lock,
    // so a configuration change commits before or after the whole transaction); a change that did
    // not write records nothing.
    const at = epoch === undefined ? [] : [epoch];
    const [enter, leave] = at.length ? [SQL.enterAt, SQL.leaveAt] : [SQL.enter, SQL.leave];
    const ops: WriteOp[] = [];
    for (const t of transitions) {
      ops.push(t.kind === 'entry' ? { sql: enter, rows: [[t.segment, t.profileId, t.at, ...at]] } : { sql: leave, rows: [[t.segment, t.profileId, ...at]] });
      ops.push({ sql: SQL.record, rows: [[t.segment, t.profileId, t.kind, t.at, t.seq, t.version, t.reason]] });
    }
    await this.writer.run(ops);
    // The writer answers no result: read back once committed. The epoch only grows, so the same
    // value now means the same value at the write; another may mean either (SegmentStore.apply).
    return epoch === undefined || (this.s.epoch.get() as number) === epoch;
  }

  async counts(): Promise<SegmentCount[]> {
    return this.s.counts.all() as SegmentCount[];
  }

  async members(segment: string, afterProfileId: string, limit: number): Promise<Membership[]> {
    return this.s.members.all(segment, afterProfileId, limit) as Membership[];
  }

  async transitions(segment: string, limit: number): Promise<RecordedTransition[]> {
    return this.s.transitions.all(segment, limit) as RecordedTransition[];
  }

  async transitionsAfter(segment: string, afterId: number, limit: number): Promise<RecordedTransition[]> {
    return this.s.after.all(segment, afterId, limit) as RecordedTransition[];
  }

  async eraseSubject(profileId: string, at = Date.now()): Promise<void> {
    // The exits of reason `erased` first (the rows they are told from go next), in one transaction.
    await this.writer.run([
      { sql: SQL.erasedExits, rows: [[profileId, at, profileId, profileId, profileId]] },
      { sql: 'DELETE FROM segment_members WHERE profile_id = ?', rows: [[profileId]] },
      { sql: "DELETE FROM segment_events WHERE profile_id = ? AND reason <> 'erased'", rows: [[profileId]] },
    ]);
  }
}
