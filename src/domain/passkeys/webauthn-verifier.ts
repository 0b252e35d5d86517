import type { PasskeyKey } from './passkey.js';

/** A browser's WebAuthn options or response, as the JSON objects of the WebAuthn Level 3 `toJSON()` forms. */
export type WebAuthnJson = Record<string, unknown>;

/** A verification that failed, with the reason to give the customer. */
export interface Refused {
  verified: false;
  reason: string;
}

/** What a verified registration yields: the new credential's key and what the authenticator told of itself. */
export interface VerifiedRegistration extends PasskeyKey {
  verified: true;
  aaguid: string;
  deviceType: string;
  backedUp: boolean;
}

export interface VerifiedAssertion {
  verified: true;
  /** The signature counter the authenticator reported. */
  counter: number;
  backedUp: boolean;
}

/**
 * The WebAuthn ceremonies for one relying party (its RP ID, name and allowed origins are configuration):
 * builds the options a browser passes to navigator.credentials, and verifies what comes back against a
 * challenge Kith issued. User verification is required in both ceremonies.
 */
export interface WebAuthnVerifier {
  registrationOptions(input: {
    challenge: string;
    user: { id: string; name: string; displayName: string };
    exclude: readonly Pick<PasskeyKey, 'credentialId' | 'transports'>[];
  }): Promise<WebAuthnJson>;
  verifyRegistration(response: WebAuthnJson, expectedChallenge: string): Promise<VerifiedRegistration | Refused>;
  authenticationOptions(input: { challenge: string; allow: readonly Pick<PasskeyKey, 'credentialId' | 'transports'>[] }): Promise<WebAuthnJson>;
  verifyAssertion(response: WebAuthnJson, expectedChallenge: string, key: PasskeyKey): Promise<VerifiedAssertion | Refused>;
}
