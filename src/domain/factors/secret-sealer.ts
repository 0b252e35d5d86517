/**
 * Keeps a secret that cannot be hashed (a TOTP seed, a private key) encrypted at rest. `context` binds the
 * ciphertext to its owner: `open` refuses a sealed value moved to another row.
 */
export interface SecretSealer {
  seal(plaintext: Uint8Array, context: string): Promise<string>;
  /** The plaintext; throws when the key or the context does not match. */
  open(sealed: string, context: string): Promise<Uint8Array>;
}
