import { describe, expect, it } from 'vitest';
import { migrate, openDatabase, openMigrated } from './database.js';
import { sqliteMigrations } from './migrations/index.js';

describe('openMigrated', () => {
  it('opens each in-memory database as its own copy of the migrated schema', () => {
    const a = openMigrated(':memory:');
    const b = openMigrated(':memory:');
    const tables = (db: ReturnType<typeof openDatabase>) => db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    // The same schema as migrating a new database step by step, every migration recorded.
    const fresh = openDatabase(':memory:');
    migrate(fresh);
    expect(tables(a)).toEqual(tables(fresh));
    expect(a.prepare('SELECT id FROM schema_migrations ORDER BY id').pluck().all()).toEqual(sqliteMigrations.map((m) => m.id).sort());
    expect(migrate(b)).toEqual([]);
    // Copies, not one database: a write in one is not seen in the other, nor in the next one opened.
    a.prepare('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)').run('zz', 'only in a', 1);
    expect(b.prepare("SELECT count(*) FROM schema_migrations WHERE id = 'zz'").pluck().get()).toBe(0);
    expect(openMigrated(':memory:').prepare("SELECT count(*) FROM schema_migrations WHERE id = 'zz'").pluck().get()).toBe(0);
    for (const db of [a, b, fresh]) db.close();
  });
});
