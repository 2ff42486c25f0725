import { identifierKey, type Identifier } from '../../identity/identifiers.js';

/**
 * The committed identity graph as the embedded store's single writer last wrote it, kept in
 * memory so resolving a batch does not read the same identities again. Bounded: the oldest
 * entries go first and are read back from their table when needed. Cleared on any failed commit.
 */
export class IdentityCache {
  private readonly owner = new Map<string, string>();
  private readonly byProfile = new Map<string, Identifier[]>();

  constructor(private readonly capacity: number) {}

  profileOf(kind: string, value: string): string | undefined {
    return this.owner.get(identifierKey(kind, value));
  }

  identitiesOf(profileId: string): Identifier[] | undefined {
    return this.byProfile.get(profileId);
  }

  /** Remembers a profile's complete identity list (as read from the table). */
  rememberProfile(profileId: string, ids: Identifier[]): void {
    this.byProfile.set(profileId, ids);
    for (const i of ids) this.owner.set(identifierKey(i.kind, i.value), profileId);
    this.trim();
  }

  /**
   * A committed new identity. Remembered only for a profile whose whole list is known, so every
   * owner entry always belongs to a known list (which keeps `merged` exact and cheap).
   */
  added(profileId: string, id: Identifier): void {
    const list = this.byProfile.get(profileId);
    if (!list) return;
    this.owner.set(identifierKey(id.kind, id.value), profileId);
    if (!list.some((x) => x.kind === id.kind && x.value === id.value)) list.push(id);
    this.trim();
  }

  /** A profile created by a committed batch, with its identities. */
  created(profileId: string, ids: Identifier[]): void {
    this.rememberProfile(profileId, [...ids]);
  }

  /** A committed merge: every identity of `from` now belongs to `into`. */
  merged(from: string, into: string): void {
    const moving = this.byProfile.get(from);
    this.byProfile.delete(from);
    const target = this.byProfile.get(into);
    if (!moving || !target) {
      // Not fully known here: forget both sides; they are read back from the table.
      for (const i of moving ?? []) this.owner.delete(identifierKey(i.kind, i.value));
      for (const i of target ?? []) this.owner.delete(identifierKey(i.kind, i.value));
      this.byProfile.delete(into);
      return;
    }
    for (const i of moving) {
      this.owner.set(identifierKey(i.kind, i.value), into);
      if (!target.some((x) => x.kind === i.kind && x.value === i.value)) target.push(i);
    }
  }

  clear(): void {
    this.owner.clear();
    this.byProfile.clear();
  }

  private trim(): void {
    if (this.owner.size <= this.capacity && this.byProfile.size <= this.capacity) return;
    // Drop the oldest half of both maps; a dropped profile list also drops its owner entries' trust.
    const dropProfiles = Math.floor(this.byProfile.size / 2);
    let n = 0;
    for (const [pid, ids] of this.byProfile) {
      if (n++ >= dropProfiles) break;
      this.byProfile.delete(pid);
      for (const i of ids) this.owner.delete(identifierKey(i.kind, i.value));
    }
    const dropOwners = Math.max(0, this.owner.size - Math.floor(this.capacity / 2));
    n = 0;
    for (const k of this.owner.keys()) {
      if (n++ >= dropOwners) break;
      this.owner.delete(k);
    }
  }
}
