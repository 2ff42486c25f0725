import { join, resolve } from 'node:path';
import { type Durability, durabilityFromEnv } from './durability.js';
import type { Store } from './store.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';

export interface StoreChoice {
  /** PostgreSQL connection string; when set, PostgreSQL is used. */
  databaseUrl?: string;
  /** Folder of the embedded SQLite database (default ./data). */
  dataDir?: string;
  /** What an acknowledgement waits for (durability.ts; default `fsync`). */
  durability?: Durability;
  /**
   * Open as the serving process (`tact serve`, listening on `port`): the embedded store's folder
   * is locked for the process's life and a second server on it is refused, naming this one
   * (sqlite/data-dir-lock.ts). Other commands open the store beside the server. PostgreSQL takes
   * several servers and needs no lock.
   */
  owner?: { port?: number };
}

/**
 * Opens the store the environment chooses: PostgreSQL when TACT_DATABASE_URL is set (several
 * processes can share it), else the embedded SQLite file in TACT_DATA_DIR. Migrates either.
 *
 * @example
 * const store = await openStore({ dataDir: './data' });
 */
export async function openStore(choice: StoreChoice): Promise<Store> {
  if (choice.databaseUrl) {
    const { openPostgresStore } = await import('./postgres/postgres-store.js');
    return openPostgresStore({ connectionString: choice.databaseUrl, durability: choice.durability });
  }
  const dir = resolve(choice.dataDir ?? './data');
  return openSqliteStore({ path: join(dir, 'tact.db'), durability: choice.durability, owner: choice.owner });
}

/**
 * The store choice from the environment (TACT_DATABASE_URL, TACT_DATA_DIR). A TACT_DATABASE_URL
 * that is not a postgres:// or postgresql:// URL is refused, naming it: passed on as it was, pg
 * read `nonsense` as a host name and the error was "The host base is not known (DNS)".
 *
 * @example
 * storeChoiceFromEnv({ TACT_DATABASE_URL: 'postgres://tact@db:5432/tact' }).databaseUrl; // 'postgres://tact@db:5432/tact'
 */
export function storeChoiceFromEnv(env: NodeJS.ProcessEnv): StoreChoice {
  if (env.TACT_DATABASE_URL) checkDatabaseUrl(env.TACT_DATABASE_URL);
  return { databaseUrl: env.TACT_DATABASE_URL || undefined, dataDir: env.TACT_DATA_DIR || './data', durability: durabilityFromEnv(env.TACT_DURABILITY) };
}

/** Refuses a TACT_DATABASE_URL that is not a PostgreSQL URL; the value is not repeated when it may hold a password. */
function checkDatabaseUrl(value: string): void {
  let protocol: string | undefined;
  try {
    protocol = new URL(value).protocol.toLowerCase();
  } catch {
    protocol = undefined;
  }
  if (protocol === 'postgres:' || protocol === 'postgresql:') return;
  const shown = value.includes('@') ? 'its value (not shown: it may hold a password)' : `its value ${JSON.stringify(value)}`;
  throw new Error(`TACT_DATABASE_URL must be a PostgreSQL URL, postgres://user:password@host:5432/database (or postgresql://…); ${shown} is not one. Unset it to use the embedded store of TACT_DATA_DIR.`);
}

/** Whether a store error is worth retrying the whole transaction for. */
export function isRetryableStoreError(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  // PostgreSQL: serialization failure, deadlock, unique violation from a concurrent insert; SQLite: busy.
  return code === '40001' || code === '40P01' || code === '23505' || code === 'SQLITE_BUSY';
}
