import { describe, expect, it } from 'vitest';
import { migrate, openDatabase } from './database.js';

describe('SQLite migration core-002 (a time per account trait)', () => {
  it('gives each trait of an account stored before it the row\'s update time', () => {
    const db = openDatabase(':memory:');
    try {
      migrate(db);
      // The table as it was before the migration, with two accounts stored then.
      db.exec(`ALTER TABLE accounts DROP COLUMN traits_at; DELETE FROM schema_migrations WHERE id = 'core-002'`);
      db.prepare('INSERT INTO accounts (id, traits, created_at, updated_at) VALUES (?, ?, ?, ?)').run('acme', JSON.stringify({ plan: 'a', address: { city: 'Berlin' }, tier: null }), 1_000, 3_000);
      db.prepare('INSERT INTO accounts (id, traits, created_at, updated_at) VALUES (?, ?, ?, ?)').run('empty', '{}', 1_000, 1_000);
      expect(migrate(db)).toEqual(['core-002 a time per account trait']);
      const rows = db.prepare('SELECT id, traits_at FROM accounts ORDER BY id').all() as { id: string; traits_at: string }[];
      expect(rows.map((r) => [r.id, JSON.parse(r.traits_at)])).toEqual([['acme', { plan: 3_000, address: 3_000, tier: 3_000 }], ['empty', {}]]);
    } finally {
      db.close();
    }
  });
});
