import type { Actor } from '../actor.js';
import { lockRegistered } from '../customers/status.js';
import type { Clock } from '../clock.js';
import { badInput, conflict, notFound } from '../errors.js';
import { accountAttemptKey, type AttemptLimiter, consumeAttempts } from '../sessions/attempt-limiter.js';
import { afterFailure, afterSuccess, isLocked, type LockoutPolicy } from '../sessions/lockout.js';
import type { Authentication, StepUpGuard } from '../sessions/step-up.js';
import type { Stores, UnitOfWork } from '../stores.js';
import type { StoredTotp } from './factor-store.js';
import { newRecoveryCodes, type RecoveryCodeCodec } from './recovery-code-rules.js';
import type { SecretSealer } from './secret-sealer.js';
import { credentialsChanged } from './second-factors.js';
import { normaliseTotpCode, type TotpAlgorithm, type TotpParameters, type TotpProvisioning, verifyTotp } from './totp-rules.js';

export interface TotpServiceDeps {
  uow: UnitOfWork;
  clock: Clock;
  stepUp: StepUpGuard;
  /** Seals the seed under its own key, derived from KITH_KEY_ENCRYPTION_KEY. */
  sealer: SecretSealer;
  algorithm: TotpAlgorithm;
  params: TotpParameters;
  recoveryCodes: RecoveryCodeCodec;
  /** Failures in a row lock the factor, as wrong passwords lock the password. */
  lockout: LockoutPolicy;
  /** The per-account limiter every sign-in and step-up of the customer counts against. */
  perAccount: AttemptLimiter;
  /** The issuer an authenticator app shows next to the code. */
  issuer: string;
}

export type TotpService = ReturnType<typeof createTotpService>;

/** A TOTP comes and goes with its recovery codes. */
const BOTH = ['credentials.totp', 'credentials.recoveryCodes'];

const wrongCode = (field: string) => badInput('The code is wrong, already used, or too many wrong codes locked it for a while.', field);

/**
 * TOTP (RFC 6238) as a second factor: enrolment with a pending seed, confirmation by a first code, which
 * also issues the recovery codes, verification for step-up, and removal.
 */
export function createTotpService(deps: TotpServiceDeps) {
  const { uow, clock } = deps;
  const sealContext = (customerId: string) => `totp:${customerId}`;

  /**
   * Checks a code against the customer's TOTP, locked so that two requests with one code serialise: the
   * first records its step, the second finds it used. Saves the outcome (the step, or one more failure
   * towards the lockout) and returns the accepted step or null. A locked factor accepts nothing.
   */
  async function attempt(tx: Stores, customerId: string, totp: StoredTotp, code: string): Promise<number | null> {
    const at = clock.now();
    if (isLocked(totp, at)) return null;
    const secret = await deps.sealer.open(totp.sealedSecret, sealContext(customerId));
    const step = verifyTotp({ secret, code, at, lastStep: totp.lastStep, params: deps.params, algorithm: deps.algorithm });
    const lockout = step === null ? afterFailure(totp, deps.lockout, at) : afterSuccess();
    await tx.factors.saveTotpState(customerId, { confirmed: totp.confirmed || step !== null, lastStep: step ?? totp.lastStep, ...lockout }, at);
    return step;
  }

  /** Runs `attempt` in its own transaction, so a failure is recorded even though the request then fails. */
  async function check(customerId: string, rawCode: string, field: string, expect: 'pending' | 'confirmed', onSuccess: (tx: Stores) => Promise<void>) {
    await consumeAttempts('verification', [{ limiter: deps.perAccount, key: accountAttemptKey(customerId) }]);
    const code = normaliseTotpCode(rawCode);
    const accepted = await uow.transaction(async (tx) => {
      // A confirmation adds recovery codes: the customer first, as an erasure locks them (then the factor).
      if (expect === 'pending') await lockRegistered(tx, customerId, 'add a second factor');
      const totp = await tx.factors.lockTotp(customerId);
      if (expect === 'pending' && (!totp || totp.confirmed)) {
        throw conflict(totp ? 'TOTP is already confirmed.' : 'There is no TOTP enrolment to confirm: call enrollTotp first.');
      }
      if (expect === 'confirmed' && !totp?.confirmed) throw badInput('No TOTP is enrolled: step up with another method.', field);
      const step = await attempt(tx, customerId, totp!, code);
      if (step !== null) await onSuccess(tx);
      return step !== null;
    });
    if (!accepted) throw wrongCode(field);
  }

  return {
    /**
     * Starts an enrolment (a sensitive action): a new seed, pending until a first code confirms it, and
     * replacing any pending one. CONFLICT while a confirmed TOTP exists: remove it first.
     */
    async enroll(auth: Authentication): Promise<TotpProvisioning> {
      await deps.stepUp.require(auth);
      const secret = deps.algorithm.newSecret();
      const sealed = await deps.sealer.seal(secret, sealContext(auth.customerId));
      const email = await uow.transaction(async (tx) => {
        const customer = await lockRegistered(tx, auth.customerId, 'add a second factor');
        const saved = await tx.factors.savePendingTotp(auth.customerId, sealed, clock.now());
        if (!saved) throw conflict('TOTP is already enabled: remove it (removeTotp) before enrolling again.');
        return customer.email;
      });
      return deps.algorithm.provisioning(secret, { issuer: deps.issuer, label: email }, deps.params);
    },

    /**
     * Activates the pending TOTP with its first code (a sensitive action, like the enrolment) and returns
     * a fresh set of recovery codes: the only time they are shown.
     */
    async confirm(auth: Authentication, code: string, actor: Actor): Promise<string[]> {
      await deps.stepUp.require(auth);
      const { codes, hashes } = newRecoveryCodes(deps.recoveryCodes);
      await check(auth.customerId, code, 'code', 'pending', async (tx) => {
        const at = clock.now();
        await tx.factors.replaceRecoveryCodes(auth.customerId, hashes, at);
        await tx.events.append([credentialsChanged(auth.customerId, BOTH, actor, at)]);
      });
      return codes;
    },

    /** Step-up with a code: BAD_USER_INPUT on `totp` when it is wrong, used, or the factor is locked. */
    verify: (auth: Authentication, code: string) => check(auth.customerId, code, 'totp', 'confirmed', async () => {}),

    /** Removes the TOTP and every recovery code (a sensitive action). */
    async remove(auth: Authentication, actor: Actor): Promise<void> {
      await deps.stepUp.require(auth);
      await uow.transaction(async (tx) => {
        if (!(await tx.factors.deleteTotp(auth.customerId))) throw notFound('There is no TOTP to remove.');
        await tx.events.append([credentialsChanged(auth.customerId, BOTH, actor, clock.now())]);
      });
    },
  };
}
