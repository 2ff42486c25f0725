import { coreSqlite } from './core.js';
import { decideSqlite } from './decide.js';
import { learnSqlite } from './learn.js';
import { monitorSqlite } from './monitor.js';
import { measureSqlite } from './measure.js';

/**
 * A schema migration. Ids are "<capability>-<nnn>" and never change; each capability keeps its
 * own list in its own file here, appended to and never edited once released.
 */
export interface Migration {
  id: string;
  name: string;
  sql: string;
}

/** Every SQLite migration, in the order they apply. */
export const sqliteMigrations: Migration[] = [...coreSqlite, ...learnSqlite, ...decideSqlite, ...monitorSqlite, ...measureSqlite];
