import type pg from 'pg';
import type { ApiKey, KeyKind, KeyStore, RevokeOutcome } from '../../keys/key-store.js';
import { inTransaction } from './database.js';

const COLS = 'id, kind, label, created_at AS "createdAt", revoked_at AS "revokedAt"';

/** API keys on PostgreSQL (hashes only). */
export class PostgresKeyStore implements KeyStore {
  constructor(private readonly pool: pg.Pool) {}
  async findByHash(hash: string): Promise<ApiKey | undefined> {
    return (await this.pool.query<ApiKey>(`SELECT ${COLS} FROM api_keys WHERE hash = $1`, [hash])).rows[0];
  }
  async create(k: ApiKey & { hash: string }): Promise<void> {
    await this.pool.query('INSERT INTO api_keys (id, kind, hash, label, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6)', [k.id, k.kind, k.hash, k.label, k.createdAt, k.revokedAt]);
  }
  async list(): Promise<ApiKey[]> {
    return (await this.pool.query<ApiKey>(`SELECT ${COLS} FROM api_keys ORDER BY created_at, id`)).rows;
  }
  async revoke(id: string, at: number): Promise<boolean> {
    return ((await this.pool.query('UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [at, id])).rowCount ?? 0) > 0;
  }
  async revokeUnlessLastAdmin(id: string, at: number): Promise<RevokeOutcome> {
    return inTransaction(this.pool, async (c) => {
      // The active admin rows are locked (in one order, so two revokes never deadlock):
      // a second revoke waits here for the first to commit, then reads its key revoked.
      const admins = (await c.query<{ id: string }>("SELECT id FROM api_keys WHERE kind = 'admin' AND revoked_at IS NULL ORDER BY id FOR UPDATE")).rows;
      if (admins.length === 1 && admins[0].id === id) return 'last-admin';
      const r = await c.query('UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [at, id]);
      return (r.rowCount ?? 0) > 0 ? 'revoked' : 'not-found';
    });
  }
  async countActive(kind: KeyKind): Promise<number> {
    return (await this.pool.query<{ n: number }>('SELECT count(*)::bigint AS n FROM api_keys WHERE kind = $1 AND revoked_at IS NULL', [kind])).rows[0].n;
  }
}
