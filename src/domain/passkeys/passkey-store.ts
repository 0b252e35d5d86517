import type { ChallengePurpose, Passkey, StoredPasskey, WebAuthnChallenge } from './passkey.js';

/** Persistence of customers' passkeys. Public keys only: private keys never leave the authenticator. */
export interface PasskeyStore {
  /** Stores a new passkey; the credential id is unique across customers (a duplicate is a unique violation). */
  create(passkey: StoredPasskey): Promise<void>;
  /** The customer's passkeys with their keys, oldest first. */
  listKeysOf(customerId: string): Promise<StoredPasskey[]>;
  /** The customer's passkeys as their list of devices, oldest first. */
  listOf(customerId: string): Promise<Passkey[]>;
  /** Whether any customer has registered this credential id. */
  credentialIdTaken(credentialId: string): Promise<boolean>;
  /** The customer's passkey with this credential id; null when it is not theirs or does not exist. */
  findByCredentialId(customerId: string, credentialId: string): Promise<StoredPasskey | null>;
  /**
   * Records a use: sets the counter and last use, only if the stored counter is still `expectedCounter`
   * (so two racing assertions cannot both pass); returns whether it did.
   */
  recordUse(id: string, expectedCounter: number, next: { counter: number; backedUp: boolean; at: Date }): Promise<boolean>;
  /** Renames the customer's passkey; returns it, or null when the customer has no passkey with this id. */
  rename(customerId: string, id: string, name: string): Promise<Passkey | null>;
  /** Deletes the customer's passkey; returns whether there was one. */
  remove(customerId: string, id: string): Promise<boolean>;
}

/** Challenges of WebAuthn ceremonies, at most one per session and purpose, each usable once. */
export interface WebAuthnChallengeStore {
  /** Stores the challenge, replacing any earlier one of the same session and purpose; drops expired ones. */
  put(challenge: WebAuthnChallenge, now: Date): Promise<void>;
  /** Removes and returns the session's challenge for this purpose in one statement, expired or not. */
  take(sessionId: string, purpose: ChallengePurpose): Promise<WebAuthnChallenge | null>;
}
