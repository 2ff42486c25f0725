import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testDir } from '../../../test/tmp.js';
import { NewerStoreError } from '../newer-store.js';
import { openStore } from '../open.js';
import { migrate, openDatabase, openMigrated } from './database.js';
import { sqliteMigrations } from './migrations/index.js';
import { openSqliteStore } from './sqlite-store.js';

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

describe('a store written by a newer Tact', () => {
  it('is refused, naming the migrations this version does not know, before anything is applied (`tact migrate` said "up to date" and `tact serve` served it until 2026-12-05)', async () => {
    const dir = testDir('tact-newer-');
    const path = join(dir, 'tact.db');
    await (await openSqliteStore({ path })).close();
    const raw = new Database(path);
    raw.prepare('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)').run('core-900', 'from a newer Tact', 1);
    raw.prepare("DELETE FROM schema_migrations WHERE id = 'learn-005'").run(); // one of ours left to apply
    raw.close();
    const err = (await openStore({ dataDir: dir }).then(() => undefined, (e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(NewerStoreError);
    expect(err.message).toBe(`The store in ${dir} (TACT_DATA_DIR) was written by a newer version of Tact: its migrations core-900 are unknown to this version, which would misread it. Upgrade Tact to the version that wrote it (or a later one), or restore a backup of the store made by this version.`);
    const after = new Database(path);
    expect(after.prepare("SELECT count(*) FROM schema_migrations WHERE id = 'learn-005'").pluck().get()).toBe(0);
    after.close();
    // The folder's lock is let go: the refusal is the answer, not a store left held.
    const again = await openStore({ dataDir: dir, owner: {} }).then(() => undefined, (e: unknown) => e);
    expect(again).toBeInstanceOf(NewerStoreError);
  });
});
