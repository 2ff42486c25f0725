import type { Migration } from '../../sqlite/migrations/index.js';
import { corePostgres } from './core.js';
import { decidePostgres } from './decide.js';
import { learnPostgres } from './learn.js';
import { monitorPostgres } from './monitor.js';
import { measurePostgres } from './measure.js';

/** Every PostgreSQL migration, in the order they apply (their ids are PostgreSQL's own: a change both stores need may carry different numbers in each, e.g. decide-008 here and decide-005 in SQLite). */
export const postgresMigrations: Migration[] = [...corePostgres, ...learnPostgres, ...decidePostgres, ...monitorPostgres, ...measurePostgres];
