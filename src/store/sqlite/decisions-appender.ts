import type { WriteOp } from './writer.js';
import type { SqliteWriter } from './writer.js';

/** Two commits in flight: the writer thread starts the next group as soon as one is durable. */
const MAX_INFLIGHT = 2;

interface Waiting {
  rows: unknown[][][];
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit for the decision log: appends that arrive while commits are in flight wait and go
 * together in the next one, so at 1,000 decisions/s the log needs a few dozen fsyncs a second, not
 * a thousand. Each append resolves only once the commit that carried it is durable.
 *
 * @example
 * const log = new GroupAppender(writer, [DECISION_SQL, CHOICE_SQL]);
 * await log.append([[decisionRow], choiceRows]); // durable
 */
export class GroupAppender {
  private waiting: Waiting[] = [];
  private inflight = 0;

  /** Each statement is its SQL, or a write op without rows (e.g. with `compress` columns). */
  private readonly statements: Omit<WriteOp, 'rows'>[];

  constructor(private readonly writer: SqliteWriter, statements: (string | Omit<WriteOp, 'rows'>)[]) {
    this.statements = statements.map((s) => (typeof s === 'string' ? { sql: s } : s));
  }

  /** `rows[i]` are the rows of `statements[i]` for this append. */
  append(rows: unknown[][][]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ rows, resolve, reject });
      if (this.inflight < MAX_INFLIGHT) this.pump();
    });
  }

  private pump(): void {
    const group = this.waiting;
    if (!group.length) return;
    this.waiting = [];
    this.inflight += 1;
    const ops: WriteOp[] = this.statements.map((st, i) => ({ ...st, rows: group.flatMap((w) => w.rows[i]) })).filter((op) => op.rows.length);
    this.writer.run(ops).then(
      () => {
        for (const w of group) w.resolve();
      },
      (err: unknown) => {
        for (const w of group) w.reject(err);
      },
    ).finally(() => {
      this.inflight -= 1;
      this.pump();
    });
  }
}
