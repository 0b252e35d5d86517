import { badInput } from '../errors.js';

/** A passkey as the customer sees it in their list of trusted devices: never any key material. */
export interface Passkey {
  id: string;
  customerId: string;
  name: string;
  /** Transports the authenticator said it can use (usb, nfc, ble, hybrid, internal), as hints for the browser. */
  transports: string[];
  /** The authenticator model's AAGUID (all zeros when the authenticator does not say). */
  aaguid: string;
  /** `singleDevice`, or `multiDevice` for a passkey synced between devices. */
  deviceType: string;
  /** Whether the passkey is backed up (synced), so losing one device does not lose it. */
  backedUp: boolean;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** What verifying an assertion needs: the public key (COSE, as registered) and the last signature counter. */
export interface PasskeyKey {
  /** The WebAuthn credential id, base64url. */
  credentialId: string;
  publicKey: Uint8Array;
  counter: number;
  transports: string[];
}

/** A passkey with its key, as the store keeps it. */
export type StoredPasskey = Passkey & PasskeyKey;

/** What a WebAuthn ceremony's challenge is for. */
export type ChallengePurpose = 'registration' | 'authentication';

/** A challenge Kith sent to the browser, kept server-side until it is used once or expires. */
export interface WebAuthnChallenge {
  id: string;
  customerId: string;
  sessionId: string;
  purpose: ChallengePurpose;
  /** base64url of 32 random bytes, as the options carry it. */
  challenge: string;
  expiresAt: Date;
}

/** How long a ceremony may take, from its options to the authenticator's answer. */
export const CHALLENGE_TTL_MS = 5 * 60 * 1000;
/** Devices one customer may register: enough for every phone, laptop and key they own. */
export const MAX_PASSKEYS = 20;
export const MAX_NAME_LENGTH = 64;

/**
 * The signature counter must grow with every assertion. An authenticator that keeps no counter reports 0
 * each time, which is allowed only while the stored counter is 0 too; anything else may be a cloned key
 * replaying an older state (WebAuthn Level 2, section 6.1.1).
 */
export function counterAdvances(stored: number, received: number): boolean {
  return received > stored || (received === 0 && stored === 0);
}

/** A device name the customer chose: trimmed, 1 to 64 characters, no control characters. */
export function checkPasskeyName(raw: string, field = 'name'): string {
  const name = raw.normalize('NFC').trim();
  if (name.length === 0 || name.length > MAX_NAME_LENGTH || /[\u0000-\u001f\u007f]/.test(name)) {
    throw badInput(`${field} must be 1 to ${MAX_NAME_LENGTH} characters, without control characters.`, field);
  }
  return name;
}
