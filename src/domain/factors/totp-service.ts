import type { Actor } from '../actor.js';
import { lockRegistered } from '../customers/status.js';
import type { Clock } from '../clock.js';
import { badInput, conflict, notFound } from '../errors.js';
import { accountAttemptKey, type AttemptLimiter, consumeAttempts } from '../sessions/attempt-limiter.js';
import type { Authentication, StepUpGuard } from '../sessions/step-up.js';
import type { Stores, UnitOfWork } from '../stores.js';
import type { StoredTotp } from './factor-store.js';
import { newRecoveryCodes, type RecoveryCodeCodec } from './recovery-code-rules.js';
import { credentialsChanged } from './second-factors.js';
import { attemptTotp, type TotpCheck, WRONG_TOTP_CODE } from './totp-attempt.js';
import { normaliseTotpCode, type TotpProvisioning } from './totp-rules.js';

export interface TotpServiceDeps extends TotpCheck {
  uow: UnitOfWork;
  clock: Clock;
  stepUp: StepUpGuard;
  recoveryCodes: RecoveryCodeCodec;
  /** The per-account limiter every sign-in and step-up of the customer counts against. */
  perAccount: AttemptLimiter;
  /** The issuer an authenticator app shows next to the code. */
  issuer: string;
}

export type TotpService = ReturnType<typeof createTotpService>;

/** A TOTP comes and goes with its recovery codes. */
const BOTH = ['credentials.totp', 'credentials.recoveryCodes'];

const wrongCode = (field: string) => badInput(WRONG_TOTP_CODE, field);

/**
 * TOTP (RFC 6238) as a second factor: enrolment with a pending seed, confirmation by a first code, which
 * also issues the recovery codes, verification for step-up, and removal.
 */
export function createTotpService(deps: TotpServiceDeps) {
  const { uow, clock } = deps;
  const sealContext = (customerId: string) => `totp:${customerId}`;

  /** Checks a code against the customer's TOTP, locked by the caller, and saves the outcome (attemptTotp). */
  async function attempt(tx: Stores, customerId: string, totp: StoredTotp, code: string): Promise<number | null> {
    const at = clock.now();
    const { step, state } = await attemptTotp(deps, totp, code, sealContext(customerId), at);
    if (state) await tx.factors.saveTotpState(customerId, state, at);
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
