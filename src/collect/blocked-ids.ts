/**
 * The ids of the messages the tracking plan blocked most recently, oldest forgotten first. A
 * blocked message is not stored, so the store's dedupe cannot tell its retry from a new message;
 * this window can, and the retry's violations are not counted again. The store keeps the window
 * (table `blocked_messages`, migration core-004), written in the transaction that counts the
 * violations, so a retry reaching another process (several on one PostgreSQL database), or this
 * one after a restart, is recognised: PostgreSQL reads it in each batch's transaction; the
 * embedded store, whose next batch is resolved while this one commits, holds this in-memory copy,
 * filled from the table at start and after a failed commit.
 *
 * @example
 * const ids = new BlockedIds(2); ids.add('a'); ids.add('b'); ids.add('c'); ids.has('a'); // false
 */
export class BlockedIds {
  /** A Set iterates in insertion order: its first id is the oldest. */
  private readonly ids = new Set<string>();

  constructor(readonly capacity: number) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): void {
    if (this.capacity <= 0 || this.ids.has(id)) return;
    if (this.ids.size >= this.capacity) this.ids.delete(this.ids.values().next().value as string);
    this.ids.add(id);
  }

  /** Forgets an id (its violations were not committed after all). */
  delete(id: string): void {
    this.ids.delete(id);
  }

  get size(): number {
    return this.ids.size;
  }
}

/** Blocked messages remembered: 8 MB of UUID ids, 25 MB of the longest (200 characters), measured on Node.js 20. */
export const BLOCKED_WINDOW = 100_000;
