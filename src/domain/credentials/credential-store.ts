/** Persistence of credential secrets. Only hashes are stored; nothing here ever reaches GraphQL. */
export interface CredentialStore {
  /** Creates or replaces the customer's password hash. */
  setPassword(customerId: string, passwordHash: string, at: Date): Promise<void>;
  /** The customer's password hash, or null when they have none. */
  findPasswordHash(customerId: string): Promise<string | null>;
}

/** Password hashing, run off the event loop. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
}
