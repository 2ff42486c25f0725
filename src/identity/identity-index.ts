import { identifierKey, type Identifier } from './identifiers.js';

/** A recorded merge: profile `from` joined `into`, because of message `messageId`. */
export interface MergeRecord {
  from: string;
  into: string;
  messageId: string;
  at: number;
  /** The message type that caused it (identify, alias, track …). */
  reason: string;
  /** The identifier that linked the two profiles. */
  via: Identifier;
}

/**
 * An in-memory view of the part of the identity graph a batch touches. Built from the store's
 * snapshot, changed as messages are resolved in order, and read back as the batch's writes
 * (new identities, merges).
 */
export class IdentityIndex {
  private readonly byKey = new Map<string, string>();
  private readonly byProfile = new Map<string, Identifier[]>();
  private readonly created = new Map<string, number>();
  readonly added: (Identifier & { profileId: string })[] = [];
  readonly merges: MergeRecord[] = [];

  /** Loads one existing identity row. */
  load(profileId: string, id: Identifier, profileCreatedAt: number): void {
    this.byKey.set(identifierKey(id.kind, id.value), profileId);
    const list = this.byProfile.get(profileId);
    if (list) list.push(id);
    else this.byProfile.set(profileId, [id]);
    if (!this.created.has(profileId)) this.created.set(profileId, profileCreatedAt);
  }

  /** Registers a profile known to exist (e.g. one with no identities loaded yet). */
  touchProfile(profileId: string, createdAt: number): void {
    if (!this.created.has(profileId)) this.created.set(profileId, createdAt);
    if (!this.byProfile.has(profileId)) this.byProfile.set(profileId, []);
  }

  lookup(id: Identifier): string | undefined {
    return this.byKey.get(identifierKey(id.kind, id.value));
  }

  identitiesOf(profileId: string): readonly Identifier[] {
    return this.byProfile.get(profileId) ?? [];
  }

  createdAt(profileId: string): number {
    return this.created.get(profileId) ?? Number.MAX_SAFE_INTEGER;
  }

  /** Attaches a new identifier to a profile. */
  add(profileId: string, id: Identifier): void {
    this.byKey.set(identifierKey(id.kind, id.value), profileId);
    const list = this.byProfile.get(profileId);
    if (list) list.push(id);
    else this.byProfile.set(profileId, [id]);
    this.added.push({ ...id, profileId });
  }

  /** Creates an empty profile. */
  create(profileId: string, createdAt: number): void {
    this.created.set(profileId, createdAt);
    this.byProfile.set(profileId, []);
  }

  /** Moves every identifier of `from` to `into` and records the merge. */
  merge(rec: MergeRecord): void {
    const moving = this.byProfile.get(rec.from) ?? [];
    const target = this.byProfile.get(rec.into) ?? [];
    for (const id of moving) {
      this.byKey.set(identifierKey(id.kind, id.value), rec.into);
      target.push(id);
    }
    this.byProfile.set(rec.into, target);
    this.byProfile.delete(rec.from);
    for (const a of this.added) if (a.profileId === rec.from) a.profileId = rec.into;
    this.merges.push(rec);
  }
}
