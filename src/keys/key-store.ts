/** Who a key speaks for: write keys send events; server keys decide and read; admin keys also configure. */
export type KeyKind = 'write' | 'server' | 'admin';

export interface ApiKey {
  id: string;
  kind: KeyKind;
  label: string;
  createdAt: number;
  revokedAt: number | null;
}

/** Keys are stored as SHA-256 hashes; the secret is shown once when made. */
export interface KeyStore {
  findByHash(hash: string): Promise<ApiKey | undefined>;
  create(key: ApiKey & { hash: string }): Promise<void>;
  list(): Promise<ApiKey[]>;
  revoke(id: string, at: number): Promise<boolean>;
  countActive(kind: KeyKind): Promise<number>;
}
