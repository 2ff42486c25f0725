import type { ApiKey, KeyKind, KeyStore } from '../../keys/key-store.js';
import type { Db } from './database.js';

const COLS = 'id, kind, label, created_at AS createdAt, revoked_at AS revokedAt';

/** API keys on SQLite (hashes only). */
export class SqliteKeyStore implements KeyStore {
  private readonly s;
  constructor(db: Db) {
    this.s = {
      byHash: db.prepare(`SELECT ${COLS} FROM api_keys WHERE hash = ?`),
      insert: db.prepare('INSERT INTO api_keys (id, kind, hash, label, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)'),
      list: db.prepare(`SELECT ${COLS} FROM api_keys ORDER BY created_at, id`),
      revoke: db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
      countActive: db.prepare('SELECT count(*) FROM api_keys WHERE kind = ? AND revoked_at IS NULL').pluck(),
    };
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
  async countActive(kind: KeyKind): Promise<number> {
    return this.s.countActive.get(kind) as number;
  }
}
