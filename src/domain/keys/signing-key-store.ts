/** A signing key as stored: the public JWK in clear, the private JWK only as a JWE. */
export interface StoredSigningKey {
  kid: string;
  alg: string;
  publicJwk: Record<string, unknown>;
  encryptedPrivateJwk: string;
  createdAt: Date;
  /** Set when another key replaced it; it signs nothing after this. */
  retiredAt: Date | null;
  /** When its public half leaves the JWKS: the last token it signed has expired by then. */
  expiresAt: Date | null;
}

/** Persistence of signing keys, shared by every Kith process. */
export interface SigningKeyStore {
  /** The one active key, or null before the first start. */
  findActive(): Promise<StoredSigningKey | null>;
  /** Stores `key` as the active key unless one is active already; returns whether it was stored. */
  insertActiveIfNone(key: StoredSigningKey): Promise<boolean>;
  /** Keys whose public half is published at `at`: the active one and retired ones not yet expired. */
  listPublished(at: Date): Promise<StoredSigningKey[]>;
  /** In one transaction: retires the active key (published until `expiresAt`) and activates `next`. */
  rotate(next: StoredSigningKey, retiredAt: Date, expiresAt: Date): Promise<void>;
}
