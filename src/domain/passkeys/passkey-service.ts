import { type Actor, actorLabel } from '../actor.js';
import { lockRegistered } from '../customers/status.js';
import type { Clock } from '../clock.js';
import { badInput, conflict, notFound } from '../errors.js';
import { checkId } from '../input-bounds.js';
import type { Authentication, SecondFactorSource, StepUpGuard } from '../sessions/step-up.js';
import type { UnitOfWork } from '../stores.js';
import { CHALLENGE_TTL_MS, type ChallengePurpose, checkPasskeyName, counterAdvances, MAX_PASSKEYS, type Passkey } from './passkey.js';
import type { WebAuthnJson, WebAuthnVerifier } from './webauthn-verifier.js';

export interface PasskeyServiceDeps {
  uow: UnitOfWork;
  clock: Clock;
  newId: () => string;
  /** A fresh challenge: base64url of at least 16 random bytes (Kith uses 32). */
  newChallenge: () => string;
  verifier: WebAuthnVerifier;
  stepUp: StepUpGuard;
  /** The session service's part: counting an attempt against the per-account limit, and elevating the session. */
  sessions: {
    countStepUpAttempt(customerId: string): Promise<void>;
    elevate(auth: Authentication, method: 'passkey'): Promise<{ accessToken: string; expiresIn: number; session: { acr: string; amr: string[]; authTime: Date } }>;
  };
}

/** Every refused passkey answer names the `passkey` field, so a frontend knows to restart the ceremony. */
const refused = (message: string) => badInput(message, 'passkey');
const noSuchPasskey = () => notFound('No passkey with this id.');

/** Reports `passkey` as a second factor of every customer who has registered one. */
export function passkeySource(uow: UnitOfWork): SecondFactorSource {
  return async (customerId) => ((await uow.read.passkeys.listOf(customerId)).length > 0 ? ['passkey'] : []);
}

export type PasskeyService = ReturnType<typeof createPasskeyService>;

/**
 * Passkeys (WebAuthn) as a second factor and the customer's list of trusted devices. Each ceremony's
 * challenge is kept server-side, bound to the session that asked for it, and used at most once, within
 * five minutes. Adding or removing a passkey is a sensitive action: it needs a recent step-up.
 */
export function createPasskeyService(deps: PasskeyServiceDeps) {
  const { uow, clock } = deps;

  async function issueChallenge(auth: Authentication, purpose: ChallengePurpose) {
    const now = clock.now();
    const challenge = { id: deps.newId(), customerId: auth.customerId, sessionId: auth.sessionId, purpose, challenge: deps.newChallenge() };
    const expiresAt = new Date(now.getTime() + CHALLENGE_TTL_MS);
    await uow.read.webauthnChallenges.put({ ...challenge, expiresAt }, now);
    return { challenge: challenge.challenge, expiresAt };
  }

  /** Takes this session's challenge for the purpose: gone once taken, so a replayed response finds none. */
  async function takeChallenge(auth: Authentication, purpose: ChallengePurpose, start: string): Promise<string> {
    const found = await uow.read.webauthnChallenges.take(auth.sessionId, purpose);
    if (!found || found.customerId !== auth.customerId) {
      throw refused(`No passkey challenge is waiting for this session, or it was already used: call ${start} again.`);
    }
    if (found.expiresAt.getTime() <= clock.now().getTime()) throw refused(`The passkey challenge expired: call ${start} again.`);
    return found.challenge;
  }

  function responseId(response: WebAuthnJson): string {
    const { id } = response;
    if (typeof id !== 'string' || id.length === 0 || id.length > 1366 || !/^[A-Za-z0-9_-]+$/.test(id)) {
      throw refused('passkey must be the authenticator response as JSON, with its base64url id.');
    }
    return id;
  }

  async function appendChange(tx: Parameters<Parameters<UnitOfWork['transaction']>[0]>[0], customerId: string, actor: Actor, at: Date) {
    await tx.events.append([{ customerId, type: 'customer.updated', changedFields: ['credentials.passkey'], actor: actorLabel(actor), occurredAt: at }]);
  }

  return {
    /** Creation options for a new passkey; the customer's existing passkeys are excluded. Needs a step-up. */
    async startRegistration(auth: Authentication) {
      await deps.stepUp.require(auth);
      const [customer] = await uow.read.customers.findByIds([auth.customerId]);
      if (!customer || customer.status !== 'REGISTERED' || customer.email === null) throw conflict('Only an active registered account can add a passkey.');
      const existing = await uow.read.passkeys.listKeysOf(auth.customerId);
      if (existing.length >= MAX_PASSKEYS) throw conflict(`An account may have at most ${MAX_PASSKEYS} passkeys: remove one first.`);
      const { challenge, expiresAt } = await issueChallenge(auth, 'registration');
      const options = await deps.verifier.registrationOptions({
        challenge,
        user: { id: customer.id, name: customer.email, displayName: customer.email },
        exclude: existing,
      });
      return { options, expiresAt };
    },

    /** Verifies the authenticator's attestation against this session's registration challenge, and stores the passkey. */
    async finishRegistration(auth: Authentication, response: WebAuthnJson, rawName: string, actor: Actor): Promise<Passkey> {
      const name = checkPasskeyName(rawName);
      await deps.stepUp.require(auth);
      responseId(response);
      const challenge = await takeChallenge(auth, 'registration', 'startPasskeyRegistration');
      const result = await deps.verifier.verifyRegistration(response, challenge);
      if (!result.verified) throw refused(`The passkey could not be registered: ${result.reason}`);
      if (await uow.read.passkeys.credentialIdTaken(result.credentialId)) throw conflict('This passkey is already registered.', 'passkey');
      const at = clock.now();
      const passkey = {
        id: deps.newId(),
        customerId: auth.customerId,
        name,
        credentialId: result.credentialId,
        publicKey: result.publicKey,
        counter: result.counter,
        transports: result.transports,
        aaguid: result.aaguid,
        deviceType: result.deviceType,
        backedUp: result.backedUp,
        createdAt: at,
        lastUsedAt: null,
      };
      await uow.transaction(async (tx) => {
        await lockRegistered(tx, auth.customerId, 'add a passkey');
        if ((await tx.passkeys.listKeysOf(auth.customerId)).length >= MAX_PASSKEYS) throw conflict(`An account may have at most ${MAX_PASSKEYS} passkeys.`);
        await tx.passkeys.create(passkey);
        await appendChange(tx, auth.customerId, actor, at);
      });
      const { publicKey: _key, credentialId: _id, counter: _counter, ...shown } = passkey;
      return shown;
    },

    /** Request options for a step-up with one of the customer's passkeys. */
    async startStepUp(auth: Authentication) {
      const keys = await uow.read.passkeys.listKeysOf(auth.customerId);
      if (keys.length === 0) throw refused('This account has no passkey: register one first.');
      const { challenge, expiresAt } = await issueChallenge(auth, 'authentication');
      return { options: await deps.verifier.authenticationOptions({ challenge, allow: keys }), expiresAt };
    },

    /**
     * Step-up with a passkey: the assertion must answer this session's challenge (used once), come from one
     * of the customer's own passkeys, and carry a signature counter that moved on. Every attempt counts
     * against the same per-account limit as a password step-up, before anything is checked.
     */
    async stepUp(auth: Authentication, response: WebAuthnJson) {
      await deps.sessions.countStepUpAttempt(auth.customerId);
      const credentialId = responseId(response);
      const challenge = await takeChallenge(auth, 'authentication', 'startPasskeyStepUp');
      const passkey = await uow.read.passkeys.findByCredentialId(auth.customerId, credentialId);
      if (!passkey) throw refused('This passkey is not registered to this account.');
      const result = await deps.verifier.verifyAssertion(response, challenge, passkey);
      if (!result.verified) throw refused(`The passkey could not be verified: ${result.reason}`);
      const cloned = () => refused('The passkey signature counter did not advance: the authenticator may have been cloned.');
      if (!counterAdvances(passkey.counter, result.counter)) throw cloned();
      const next = { counter: result.counter, backedUp: result.backedUp, at: clock.now() };
      if (!(await uow.read.passkeys.recordUse(passkey.id, passkey.counter, next))) throw cloned();
      return deps.sessions.elevate(auth, 'passkey');
    },

    /** The customer's passkeys, oldest first. */
    list: (customerId: string) => uow.read.passkeys.listOf(customerId),

    async rename(auth: Authentication, id: string, rawName: string, actor: Actor): Promise<Passkey> {
      const name = checkPasskeyName(rawName);
      const passkeyId = checkId(id, 'id');
      return uow.transaction(async (tx) => {
        const renamed = await tx.passkeys.rename(auth.customerId, passkeyId, name);
        if (!renamed) throw noSuchPasskey();
        await appendChange(tx, auth.customerId, actor, clock.now());
        return renamed;
      });
    },

    /** Removes one of the customer's passkeys (someone else's is NOT_FOUND). Needs a step-up. */
    async remove(auth: Authentication, id: string, actor: Actor): Promise<void> {
      const passkeyId = checkId(id, 'id');
      await deps.stepUp.require(auth);
      await uow.transaction(async (tx) => {
        if (!(await tx.passkeys.remove(auth.customerId, passkeyId))) throw noSuchPasskey();
        await appendChange(tx, auth.customerId, actor, clock.now());
      });
    },
  };
}
