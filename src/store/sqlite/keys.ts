import type { ApiKey, KeyKind, KeyStore, RevokeOutcome } from '../../keys/key-store.js';
import type { Db } from './database.js';

const COLS = 'id, kind, label, created_at AS createdAt, revoked_at AS revokedAt';

/** API keys on SQLite (hashes only). */
export class SqliteKeyStore implements KeyStore {
  private readonly s;
  private readonly guardedRevoke: (id: string, at: number) => RevokeOutcome;
  constructor(db: Db) {
    this.s = {
      byHash: db.prepare(`SELECT ${COLS} FROM api_keys WHERE hash = ?`),
      insert: db.prepare('INSERT INTO api_keys (id, kind, hash, label, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)'),
      list: db.prepare(`SELECT ${COLS} FROM api_keys ORDER BY created_at, id`),
      revoke: db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
      countActive: db.prepare('SELECT count(*) FROM api_keys WHERE kind = ? AND revoked_at IS NULL').pluck(),
      activeAdmins: db.prepare("SELECT id FROM api_keys WHERE kind = 'admin' AND revoked_at IS NULL").pluck(),
    };
    // IMMEDIATE: the write lock is taken before the admins are read, so another connection (a
    // process beside this one on the file) cannot revoke between the check and the revoke.
    const guarded = db.transaction((id: string, at: number): RevokeOutcome => {
      const admins = this.s.activeAdmins.all() as string[];
      if (admins.length === 1 && admins[0] === id) return 'last-admin';
      return this.s.revoke.run(at, id).changes > 0 ? 'revoked' : 'not-found';
    });
    this.guardedRevoke = (id, at) => guarded.immediate(id, at);
  }
  async findByHash(hash: string): Promise<ApiKey | undefined> {
    return this.s.byHash.get(hash) as ApiKey | undefined;
  }
  async create(k: ApiKey & { hash: string }): Promise<void> {
    this.s.insert.run(k.id, k.kind, k.hash, k.label, k.createdAt, k.revokedAt);
  }
  async list(): Promise<ApiKey[]> {
    return this.s.list.all() as ApiKey[];
  }
  async revoke(id: string, at: number): Promise<boolean> {
    return this.s.revoke.run(at, id).changes > 0;
  }
  async revokeUnlessLastAdmin(id: string, at: number): Promise<RevokeOutcome> {
    return this.guardedRevoke(id, at);
  }
  async countActive(kind: KeyKind): Promise<number> {
    return this.s.countActive.get(kind) as number;
  }
}
