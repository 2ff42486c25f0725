import type { DecisionRecord } from '../../decide/decision.js';
import type { OutcomeRecord } from '../../decide/records.js';
import type { DecisionPageQuery, MeasureStore } from '../../measure/measure-store.js';
import type { Db } from './database.js';
import { decodeBody } from './decision-body.js';
import { OUTCOME_COLS, toOutcome, type OutcomeRow } from './decisions-rows.js';

const MAX_IN = 500;

/**
 * Measurement's reads of the decision log on SQLite (this thread's connection; no writes).
 *
 * @example
 * await store.measure.decisionsPage({ placement: 'home', from, to, limit: 1000 });
 */
export class SqliteMeasureStore implements MeasureStore {
  constructor(private readonly db: Db) {}

  async decisionsPage(q: DecisionPageQuery): Promise<DecisionRecord[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.placement !== undefined) (where.push('placement = ?'), args.push(q.placement));
    // After a cursor at or past `from`, the cursor alone bounds the index range (so each page seeks, never rescans).
    if (q.from !== undefined && !(q.after && q.after.at >= q.from)) (where.push('at >= ?'), args.push(q.from));
    if (q.to !== undefined) (where.push('at < ?'), args.push(q.to));
    if (q.after) (where.push('(at, id) > (?, ?)'), args.push(q.after.at, q.after.id));
    args.push(q.limit);
    const sql = `SELECT body FROM decisions${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY at, id LIMIT ?`;
    return (this.db.prepare(sql).pluck().all(...args) as (string | Buffer)[]).map(decodeBody);
  }

  async outcomesOfSubjects(profileKeys: readonly string[], since: number): Promise<OutcomeRecord[]> {
    return this.inChunks(profileKeys, (marks) => `SELECT ${OUTCOME_COLS} FROM decision_outcomes WHERE profile_key IN (${marks}) AND at >= ? ORDER BY at, seq`, [since]);
  }

  async outcomesOfDecisions(decisionIds: readonly string[]): Promise<OutcomeRecord[]> {
    return this.inChunks(decisionIds, (marks) => `SELECT ${OUTCOME_COLS} FROM decision_outcomes WHERE decision_id IN (${marks}) ORDER BY at, seq`, []);
  }

  private inChunks(keys: readonly string[], sql: (marks: string) => string, extra: unknown[]): OutcomeRecord[] {
    const out: OutcomeRecord[] = [];
    for (let i = 0; i < keys.length; i += MAX_IN) {
      const chunk = keys.slice(i, i + MAX_IN);
      const rows = this.db.prepare(sql(chunk.map(() => '?').join(', '))).all(...chunk, ...extra) as OutcomeRow[];
      for (const r of rows) out.push(toOutcome(r));
    }
    return out;
  }
}
