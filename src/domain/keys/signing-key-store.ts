/** A signing key as stored: the public JWK in clear, the private JWK only as a JWE. */
export interface StoredSigningKey {
  kid: string;
  alg: string;
  publicJwk: Record<string, unknown>;
  encryptedPrivateJwk: string;
  createdAt: Date;
  /** When another key replaces it (set ahead, at a rotation); it signs nothing after this. */
  retiredAt: Date | null;
  /** When it starts signing, if later than its creation: a rotation publishes the next key ahead. */
  activatesAt: Date | null;
  /** When its public half leaves the JWKS: the last token it signed has expired by then. */
  expiresAt: Date | null;
}

/** Persistence of signing keys, shared by every Kith process. */
export interface SigningKeyStore {
  /** The key that signs at `at`, or null before the first start. */
  findActive(at: Date): Promise<StoredSigningKey | null>;
  /** Stores `key` as the active key unless one is active already; returns whether it was stored. */
  insertActiveIfNone(key: StoredSigningKey): Promise<boolean>;
  /** Keys whose public half is published at `at`: the active one and retired ones not yet expired. */
  listPublished(at: Date): Promise<StoredSigningKey[]>;
  /**
   * In one transaction: the key with no retirement yet retires at `activatesAt` (published until
   * `expiresAt`), and `next`, published from now, signs from `activatesAt`.
   */
  rotate(next: StoredSigningKey, activatesAt: Date, expiresAt: Date): Promise<void>;
}
