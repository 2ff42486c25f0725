/** Who a key speaks for: write keys send events; server keys decide and read; admin keys also configure. */
export type KeyKind = 'write' | 'server' | 'admin';

export interface ApiKey {
  id: string;
  kind: KeyKind;
  label: string;
  createdAt: number;
  revokedAt: number | null;
}

/** What {@link KeyStore.revokeUnlessLastAdmin} did: revoked the key, found no active key of that id, or kept it as the last active admin key. */
export type RevokeOutcome = 'revoked' | 'not-found' | 'last-admin';

/** Keys are stored as SHA-256 hashes; the secret is shown once when made. */
export interface KeyStore {
  findByHash(hash: string): Promise<ApiKey | undefined>;
  create(key: ApiKey & { hash: string }): Promise<void>;
  list(): Promise<ApiKey[]>;
  revoke(id: string, at: number): Promise<boolean>;
  /**
   * Revokes an active key unless it is the last active admin key, the check and the revoke as one
   * step against every process on the store: two processes each revoking one of the last two admin
   * keys at once revoke one.
   *
   * @example
   * await store.revokeUnlessLastAdmin(id, Date.now()); // 'revoked' | 'not-found' | 'last-admin'
   */
  revokeUnlessLastAdmin(id: string, at: number): Promise<RevokeOutcome>;
  countActive(kind: KeyKind): Promise<number>;
}
