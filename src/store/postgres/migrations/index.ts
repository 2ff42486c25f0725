import type { Migration } from '../../sqlite/migrations/index.js';
import { corePostgres } from './core.js';
import { decidePostgres } from './decide.js';
import { learnPostgres } from './learn.js';
import { monitorPostgres } from './monitor.js';
import { measurePostgres } from './measure.js';

/** Every PostgreSQL migration, in the order they apply (same ids as the SQLite ones). */
export const postgresMigrations: Migration[] = [...corePostgres, ...learnPostgres, ...decidePostgres, ...monitorPostgres, ...measurePostgres];
