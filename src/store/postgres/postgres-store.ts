import type { Store } from '../store.js';
export async function openPostgresStore(_o: { connectionString: string }): Promise<Store> {
  throw new Error('PostgreSQL store: not built yet');
}
