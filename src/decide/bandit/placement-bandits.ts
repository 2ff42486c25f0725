import type { BanditConfig, BanditState } from '../../learn/bandit/thompson.js';
import type { DecisionRecord } from '../decision.js';
import type { OutcomeRecord } from '../records.js';
import type { BanditBook } from './bandit-select.js';
import { catchUp } from './placement-catch-up.js';
import { saveAll } from './placement-save.js';
import { type BanditPlacement, type Book, type BookDeps, BANDIT_MODEL, MAX_OPEN_TRIALS, adopt, fromRow, stateFor } from './placement-state.js';
import { expireTrials, openTrial, resolveOutcomes, trialsOf } from './placement-trials.js';

// The placements' bandits: their state (placement-state.ts), trials (placement-trials.ts), catch-up
// from the log (placement-catch-up.ts) and saves (placement-save.ts); this class holds them together.
export { BANDIT_MODEL, MAX_OPEN_TRIALS };
export type { BanditLog, BanditPlacement } from './placement-state.js';

/**
 * The placements' bandits, learned online and kept in the estimates store.
 *
 * Learning: every action a bandit chose is a trial, learned at the context vector its decision
 * logged. The trial succeeds (y = 1) at the first goal outcome credited to it (the value function
 * already weighs the goal by the action's value in the score, so the model learns the goal's
 * probability); it fails (y = 0) at a dismissal or a credited outcome whose reward is negative
 * (unsubscribe, complaint) — not at an impression or a click, which the goal may still follow — or
 * when its attribution window ends without a success — then the decision log is
 * read first, so a success recorded by another process still counts. Trials open at shutdown are
 * dropped (neither success nor failure), and so is the oldest open trial beyond
 * {@link MAX_OPEN_TRIALS}.
 *
 * Persistence: {@link save} (every 5 s with background work on, and on close) merges each
 * changed bandit with the stored one — stored + (local − base) in natural parameters
 * (learn/bandit/merge.ts) — writes it, and adopts the result; unchanged bandits adopt the stored
 * one. So several processes on PostgreSQL each learn from their own decisions and see one
 * another's evidence within seconds. A write applies only if the row is still as read (a
 * compare-and-set on its seq): a save that another process's write overtook — in the same instant,
 * or while this one stalled — reads and merges again, so neither loses what it learned. A placement
 * is read before its first decision here ({@link hold}), and on the embedded store a read catches up
 * from the decision log ({@link load}): a kill -9 loses nothing that was acknowledged.
 *
 * @example
 * const book = new PlacementBandits({ store: store.estimates, decisions: store.decisions, windowOf: () => 7 * DAY, now: Date.now });
 * await book.load(['home']);
 */
export class PlacementBandits implements BanditBook {
  private readonly b: Book;
  private saving: Promise<void> | undefined;
  /** Placements whose stored bandit is being read, with the read. */
  private readonly taking = new Map<string, Promise<void>>();
  /** Every placement of this key (a playbook) is held: {@link hold} has nothing to wait for. */
  private heldFor: object | undefined;
  private holding: { key: object; done: Promise<void> } | undefined;

  constructor(d: BookDeps) {
    this.b = { d, entries: new Map(), pending: new Map(), catching: 0, openedLive: new Set(), ahead: new Map() };
  }

  stateFor(placement: string, actions: readonly string[], config: BanditConfig): BanditState {
    return stateFor(this.b, placement, actions, config);
  }

  versionOf(placement: string): string {
    return `${BANDIT_MODEL}:${placement}@${this.b.entries.get(placement)?.state.updates ?? 0}`;
  }

  /** Opens a trial for each action a bandit chose (DecideService calls it for every logged decision). */
  onDecision(r: DecisionRecord): void {
    for (const t of trialsOf(this.b, r)) {
      if (this.b.catching) this.b.openedLive.add(`${t.decisionId}|${t.action}`);
      openTrial(this.b, t);
    }
  }

  /** Resolves trials by the outcomes just recorded (OutcomeRecorder's callback). */
  onOutcomes(records: readonly OutcomeRecord[]): void {
    resolveOutcomes(this.b, records);
  }

  /** Trials whose window has ended: a success in the log (from any process) or a failure. */
  expire(now = this.b.d.now()): Promise<number> {
    return expireTrials(this.b, now);
  }

  /** Trials still waiting. */
  openTrials(): number {
    return this.b.pending.size;
  }

  /**
   * Reads the stored bandits of these placements (at start), and with {@link BanditPlacement}s
   * holds each with the settings its decisions use (a bandit afresh where none is stored). With the
   * log, a placement this process did not hold catches up from it: the trials of the decisions
   * logged since its bandit was written, and of earlier ones whose first resolving outcome is dated
   * after that write (none before it, their window still open then), are opened as this process
   * opens its own, and the outcomes logged since resolve them as they resolve its own
   * ({@link onOutcomes}); what stays open resolves by outcome or window as usual. Nothing the row
   * holds is learned again: a decision dated after the write was not learned before it, nor was
   * an outcome dated after it, but for those the row names (`learnedAhead`). With no row, nothing
   * was saved: the decisions of the last hour are read (placement-catch-up.ts
   * {@link CATCH_UP_HORIZON}; what a process learns unsaved is of its last 5 s). At most {@link MAX_OPEN_TRIALS} decisions, the newest, and
   * outcomes dated within the hour at least; a trial whose resolving outcome is dated earlier than
   * both the row and the hour resolves at its window's end, from the log (a success if it has one).
   * Until 2026-12-05 the outcomes learned in the last 5 s before a kill -9 were lost.
   */
  async load(placements: readonly (string | BanditPlacement)[]): Promise<void> {
    await this.take(placements.map((p) => (typeof p === 'string' ? { id: p } : p)));
  }

  /**
   * Holds the placements' bandits before a decision: each placement not held yet (added since the
   * start, or its features changed) has its stored bandit read — taken as it is, or caught up from
   * the log ({@link load}) — or starts afresh, so that its first decision here does not start from
   * nothing while another process holds learning for it. `key` (a playbook) marks the list: while
   * it is the same, the answer is undefined at once (nothing to wait for; the list is not even made).
   *
   * @example
   * await book.hold(play, () => thompsonPlacements(play));
   */
  hold(key: object, placements: () => readonly BanditPlacement[]): Promise<void> | undefined {
    if (key === this.heldFor) return undefined;
    if (this.holding?.key === key) return this.holding.done;
    const todo = placements().filter((p) => this.b.entries.get(p.id)?.state.config.features !== p.config.features);
    if (!todo.length) {
      this.heldFor = key;
      return undefined;
    }
    const holding = { key, done: Promise.resolve() };
    holding.done = this.take(todo).then(
      () => {
        if (this.holding === holding) (this.heldFor = key, this.holding = undefined);
      },
      (err: unknown) => {
        if (this.holding === holding) this.holding = undefined;
        throw err;
      },
    );
    this.holding = holding;
    return holding.done;
  }

  /** Reads each placement's stored bandit, once at a time per placement (a read under way is waited for). */
  private take(list: readonly { id: string; config?: BanditConfig }[]): Promise<void> {
    const waits: Promise<void>[] = [];
    const mine = list.filter((p) => {
      const under = this.taking.get(p.id);
      if (under) waits.push(under);
      return !under;
    });
    if (mine.length) {
      const read = this.read(mine).finally(() => {
        for (const p of mine) if (this.taking.get(p.id) === read) this.taking.delete(p.id);
      });
      for (const p of mine) this.taking.set(p.id, read);
      waits.push(read);
    }
    return Promise.all(waits).then(() => undefined);
  }

  private async read(list: readonly { id: string; config?: BanditConfig }[]): Promise<void> {
    const rows = new Map((await this.b.d.store.getMany(list.map((p) => ({ subjectId: 'population', model: BANDIT_MODEL, key: p.id })))).map((r) => [r.key, r]));
    // Never held in this process: none of the log's decisions since the row are this process's own.
    const fresh = list.filter((p) => !this.b.entries.has(p.id));
    for (const p of list) {
      const row = rows.get(p.id);
      if (!row) continue;
      const stored = fromRow(row);
      const e = this.b.entries.get(p.id);
      const fits = !p.config || stored.config.features === p.config.features;
      if (!e || (fits && e.state.config.features !== stored.config.features)) adopt(this.b, p.id, stored);
      else if (!e.dirty && e.state.config.features === stored.config.features && stored.updates !== e.baseUpdates) adopt(this.b, p.id, stored, e);
    }
    if (this.b.d.log && fresh.length) await catchUp(this.b, this.b.d.log, fresh.map((p) => ({ ...p, row: rows.get(p.id) })));
    for (const p of list) if (p.config) this.stateFor(p.id, [], p.config);
  }

  /** Merges each bandit with the stored one and writes those that learned (at most one save at a time). */
  save(): Promise<void> {
    this.saving ??= saveAll(this.b).finally(() => (this.saving = undefined));
    return this.saving;
  }
}
