import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import type { Config } from '../config/config.js';
import type { Refused, WebAuthnJson, WebAuthnVerifier } from '../domain/passkeys/webauthn-verifier.js';

/** How long the browser may wait for the authenticator; the challenge itself lives for five minutes. */
const TIMEOUT_MS = 120_000;
const fromBase64Url = (value: string) => new Uint8Array(Buffer.from(value, 'base64url'));

/**
 * The library throws on any mismatch (origin, RP ID, challenge, signature, flags) with a message naming it;
 * that message is what the customer is told. Anything else is a verifier bug, and stays unexpected.
 */
async function refusedOnError<T>(work: () => Promise<T>): Promise<T | Refused> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof Error) return { verified: false, reason: error.message.slice(0, 300) };
    throw error;
  }
}

/**
 * WebAuthn with @simplewebauthn/server for the configured relying party. Every verification names the RP ID
 * and the allowed origins, and requires user verification (a PIN or biometric on the authenticator), so a
 * passkey proves possession and the customer's presence both. Attestation is not asked for ("none"): Kith
 * trusts the customer's choice of authenticator rather than a vendor list.
 */
export function createWebAuthnVerifier(rp: Config['webauthn']): WebAuthnVerifier {
  const expected = { expectedRPID: rp.rpId, expectedOrigin: [...rp.origins], requireUserVerification: true };
  const describe = (keys: readonly { credentialId: string; transports: string[] }[]) =>
    keys.map((key) => ({ id: key.credentialId, transports: key.transports }));

  return {
    async registrationOptions({ challenge, user, exclude }) {
      const options = await generateRegistrationOptions({
        rpName: rp.rpName,
        rpID: rp.rpId,
        userID: new TextEncoder().encode(user.id),
        userName: user.name,
        userDisplayName: user.displayName,
        challenge: fromBase64Url(challenge),
        timeout: TIMEOUT_MS,
        attestationType: 'none',
        excludeCredentials: describe(exclude),
        authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
      });
      return options as unknown as WebAuthnJson;
    },

    verifyRegistration: (response, expectedChallenge) =>
      refusedOnError(async () => {
        const result = await verifyRegistrationResponse({ ...expected, response: response as unknown as RegistrationResponseJSON, expectedChallenge });
        if (!result.verified) return { verified: false, reason: 'the attestation did not verify.' };
        const info = result.registrationInfo;
        return {
          verified: true,
          credentialId: info.credential.id,
          publicKey: info.credential.publicKey,
          counter: info.credential.counter,
          transports: (info.credential.transports ?? []).slice(0, 10),
          aaguid: info.aaguid,
          deviceType: info.credentialDeviceType,
          backedUp: info.credentialBackedUp,
        };
      }),

    async authenticationOptions({ challenge, allow }) {
      const options = await generateAuthenticationOptions({
        rpID: rp.rpId,
        challenge: fromBase64Url(challenge),
        allowCredentials: describe(allow),
        userVerification: 'required',
        timeout: TIMEOUT_MS,
      });
      return options as unknown as WebAuthnJson;
    },

    verifyAssertion: (response, expectedChallenge, key) =>
      refusedOnError(async () => {
        const result = await verifyAuthenticationResponse({
          ...expected,
          response: response as unknown as AuthenticationResponseJSON,
          expectedChallenge,
          credential: { id: key.credentialId, publicKey: new Uint8Array(key.publicKey), counter: key.counter, transports: key.transports },
        });
        if (!result.verified) return { verified: false, reason: 'the signature did not verify.' };
        return { verified: true, counter: result.authenticationInfo.newCounter, backedUp: result.authenticationInfo.credentialBackedUp };
      }),
  };
}
