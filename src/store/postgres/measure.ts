import type pg from 'pg';
import type { DecisionRecord } from '../../decide/decision.js';
import type { OutcomeRecord } from '../../decide/records.js';
import type { DecisionPageQuery, MeasureStore } from '../../measure/measure-store.js';
import { OUTCOME_COLS, toOutcome, type OutcomeRow } from '../sqlite/decisions-rows.js';

const MAX_IN = 1000;

/**
 * Measurement's reads of the decision log on PostgreSQL.
 *
 * @example
 * await store.measure.decisionsPage({ placement: 'home', from, to, limit: 1000 });
 */
export class PostgresMeasureStore implements MeasureStore {
  constructor(private readonly pool: pg.Pool) {}

  async decisionsPage(q: DecisionPageQuery): Promise<DecisionRecord[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    const arg = (v: unknown) => `$${args.push(v)}`;
    if (q.placement !== undefined) where.push(`placement = ${arg(q.placement)}`);
    // After a cursor at or past `from`, the cursor alone bounds the index range (so each page seeks, never rescans).
    if (q.from !== undefined && !(q.after && q.after.at >= q.from)) where.push(`at >= ${arg(q.from)}`);
    if (q.to !== undefined) where.push(`at < ${arg(q.to)}`);
    if (q.after) where.push(`(at, id) > (${arg(q.after.at)}, ${arg(q.after.id)})`);
    const sql = `SELECT body FROM decisions${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY at, id LIMIT ${arg(q.limit)}`;
    return (await this.pool.query<{ body: string }>(sql, args)).rows.map((r) => JSON.parse(r.body) as DecisionRecord);
  }

  async outcomesOfSubjects(profileKeys: readonly string[], since: number): Promise<OutcomeRecord[]> {
    return this.inChunks(profileKeys, `SELECT ${OUTCOME_COLS} FROM decision_outcomes WHERE profile_key = ANY($1) AND at >= $2 ORDER BY at, seq`, [since]);
  }

  async outcomesOfDecisions(decisionIds: readonly string[]): Promise<OutcomeRecord[]> {
    return this.inChunks(decisionIds, `SELECT ${OUTCOME_COLS} FROM decision_outcomes WHERE decision_id = ANY($1) ORDER BY at, seq`, []);
  }

  private async inChunks(keys: readonly string[], sql: string, extra: unknown[]): Promise<OutcomeRecord[]> {
    const out: OutcomeRecord[] = [];
    for (let i = 0; i < keys.length; i += MAX_IN) {
      const rows = (await this.pool.query<OutcomeRow>(sql, [keys.slice(i, i + MAX_IN), ...extra])).rows;
      for (const r of rows) out.push(toOutcome(r));
    }
    return out;
  }
}
