import type { Identifier } from '../../identity/identifiers.js';

/**
 * The committed identity graph as the embedded store's single writer last wrote it, kept in
 * memory so resolving a batch does not read the same identities again. Bounded: the oldest
 * profiles go first and are read back from their table when needed. Cleared on any failed commit.
 *
 * Laid out for the garbage collector as much as for lookups: owners are found through one map per
 * identifier kind keyed by the value itself (no concatenated key string per identifier, none built
 * per lookup), and each profile's list is one JSON string rather than an array of objects. With
 * 100,000 profiles that is about 700,000 fewer objects for every major collection to mark.
 */
export class IdentityCache {
  /** kind → value → profile id. */
  private readonly owner = new Map<string, Map<string, string>>();
  private owners = 0;
  /** profile id → its identifiers as JSON `[kind, value, kind, value, …]`. */
  private readonly byProfile = new Map<string, string>();

  constructor(private readonly capacity: number) {}

  profileOf(kind: string, value: string): string | undefined {
    return this.owner.get(kind)?.get(value);
  }

  /** Whether the profile's whole identity list is held (without unpacking it). */
  knows(profileId: string): boolean {
    return this.byProfile.has(profileId);
  }

  identitiesOf(profileId: string): Identifier[] | undefined {
    const packed = this.byProfile.get(profileId);
    return packed === undefined ? undefined : unpack(packed);
  }

  /**
   * Appends the profile's identities to `out` as rows naming it (what a batch's snapshot holds),
   * without an intermediate list; false when the profile's list is not held.
   */
  appendRows(profileId: string, out: { profileId: string; kind: string; value: string }[]): boolean {
    const packed = this.byProfile.get(profileId);
    if (packed === undefined) return false;
    const flat = JSON.parse(packed) as string[];
    for (let k = 0; k < flat.length; k += 2) out.push({ profileId, kind: flat[k], value: flat[k + 1] });
    return true;
  }

  /** Remembers a profile's complete identity list (as read from the table). */
  rememberProfile(profileId: string, ids: Identifier[]): void {
    const old = this.byProfile.get(profileId);
    if (old !== undefined) for (const i of unpack(old)) this.unown(i, profileId);
    this.byProfile.set(profileId, pack(ids));
    for (const i of ids) this.own(i, profileId);
    this.trim();
  }

  /**
   * A committed new identity. Remembered only for a profile whose whole list is known, so every
   * owner entry always belongs to a known list (which keeps `merged` exact and cheap).
   */
  added(profileId: string, id: Identifier): void {
    const packed = this.byProfile.get(profileId);
    if (packed === undefined) return;
    this.own(id, profileId);
    const list = unpack(packed);
    if (!list.some((x) => x.kind === id.kind && x.value === id.value)) {
      list.push(id);
      this.byProfile.set(profileId, pack(list));
    }
    this.trim();
  }

  /** A profile created by a committed batch, with its identities. */
  created(profileId: string, ids: Identifier[]): void {
    this.rememberProfile(profileId, ids);
  }

  /** A committed merge: every identity of `from` now belongs to `into`. */
  merged(from: string, into: string): void {
    const moving = this.identitiesOf(from);
    this.byProfile.delete(from);
    const target = this.identitiesOf(into);
    if (!moving || !target) {
      // Not fully known here: forget both sides; they are read back from the table.
      for (const i of moving ?? []) this.unown(i, from);
      for (const i of target ?? []) this.unown(i, into);
      this.byProfile.delete(into);
      return;
    }
    for (const i of moving) {
      this.own(i, into);
      if (!target.some((x) => x.kind === i.kind && x.value === i.value)) target.push(i);
    }
    this.byProfile.set(into, pack(target));
  }

  clear(): void {
    this.owner.clear();
    this.owners = 0;
    this.byProfile.clear();
  }

  /** Entries held, for tests and metrics. */
  get size(): { profiles: number; identifiers: number } {
    return { profiles: this.byProfile.size, identifiers: this.owners };
  }

  private own(i: Identifier, profileId: string): void {
    let m = this.owner.get(i.kind);
    if (!m) this.owner.set(i.kind, (m = new Map()));
    if (!m.has(i.value)) this.owners += 1;
    m.set(i.value, profileId);
  }

  /** Drops an owner entry if it still names this profile. */
  private unown(i: Identifier, profileId: string): void {
    const m = this.owner.get(i.kind);
    if (m?.get(i.value) !== profileId) return;
    m.delete(i.value);
    this.owners -= 1;
  }

  private trim(): void {
    if (this.owners <= this.capacity && this.byProfile.size <= this.capacity) return;
    // Drop the oldest profiles (their lists and owner entries) until both are at most half full.
    const half = Math.floor(this.capacity / 2);
    for (const [pid, packed] of this.byProfile) {
      if (this.owners <= half && this.byProfile.size <= half) break;
      this.byProfile.delete(pid);
      for (const i of unpack(packed)) this.unown(i, pid);
    }
  }
}

function pack(ids: Identifier[]): string {
  const flat: string[] = [];
  for (const i of ids) flat.push(i.kind, i.value);
  return JSON.stringify(flat);
}

function unpack(packed: string): Identifier[] {
  const flat = JSON.parse(packed) as string[];
  const out: Identifier[] = [];
  for (let k = 0; k < flat.length; k += 2) out.push({ kind: flat[k], value: flat[k + 1] });
  return out;
}
