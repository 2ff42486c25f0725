import type { ViolationQuery } from '../collect/collect-store.js';

/**
 * The one query of the `plan_violations` rows a ViolationQuery asks for, for both stores:
 * `param(n)` writes the n-th placeholder (`?` on SQLite, `$n` on PostgreSQL). Pages are keyset
 * pages in the order (count desc, event, property, rule) — total, as (event, property, rule) is
 * the key — so a row is never on two pages unless its count grew past the cursor in between.
 *
 * @example
 * violationsSql({ event: 'Order', limit: 101 }, () => '?');
 * // → { sql: 'SELECT … WHERE event = ? ORDER BY count DESC, event, property, rule LIMIT ?', args: ['Order', 101] }
 */
export function violationsSql(q: ViolationQuery, param: (n: number) => string): { sql: string; args: unknown[] } {
  const args: unknown[] = [];
  const p = (v: unknown) => {
    args.push(v);
    return param(args.length);
  };
  const where: string[] = [];
  if (q.event !== undefined) where.push(`event = ${p(q.event)}`);
  if (q.since !== undefined) where.push(`last_at >= ${p(q.since)}`);
  if (q.after) {
    const a = q.after;
    where.push(`(count < ${p(a.count)} OR (count = ${p(a.count)} AND (event, property, rule) > (${p(a.event)}, ${p(a.property)}, ${p(a.rule)})))`);
  }
  const sql = `SELECT event, property, rule, count, blocked, last_at AS "lastAt", last_message_id AS "lastMessageId", last_detail AS "lastDetail"
    FROM plan_violations ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY count DESC, event, property, rule LIMIT ${p(q.limit)}`;
  return { sql, args };
}
