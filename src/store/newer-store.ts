/**
 * A store whose `schema_migrations` records migrations this version does not have: it was written
 * by a newer Tact, and this one would read and write tables it does not know the shape of (a
 * column it never sets, a constraint it breaks). Opening it is refused, before any migration runs.
 */
export class NewerStoreError extends Error {
  readonly code = 'TACT_STORE_NEWER';
  constructor(readonly unknown: string[], where: string) {
    super(`The ${where} was written by a newer version of Tact: its migrations ${unknown.join(', ')} are unknown to this version, which would misread it. Upgrade Tact to the version that wrote it (or a later one), or restore a backup of the store made by this version.`);
    this.name = 'NewerStoreError';
  }
}

/**
 * Throws a {@link NewerStoreError} when `applied` (the ids in `schema_migrations`) holds any id
 * not among `known` (this version's migrations).
 *
 * @example
 * refuseNewerStore(['core-001', 'core-900'], ['core-001'], 'store in ./data (TACT_DATA_DIR)'); // throws, naming core-900
 */
export function refuseNewerStore(applied: Iterable<string>, known: readonly { id: string }[], where: string): void {
  const ours = new Set(known.map((m) => m.id));
  const unknown = [...applied].filter((id) => !ours.has(id)).sort();
  if (unknown.length) throw new NewerStoreError(unknown, where);
}
