import type { Actor } from '../actor.js';
import { lockRegistered } from '../customers/status.js';
import type { Clock } from '../clock.js';
import { badInput, conflict } from '../errors.js';
import { accountAttemptKey, type AttemptLimiter, consumeAttempts } from '../sessions/attempt-limiter.js';
import type { Authentication, StepUpGuard } from '../sessions/step-up.js';
import type { UnitOfWork } from '../stores.js';
import { credentialsChanged } from './second-factors.js';
import { newRecoveryCodes, normaliseRecoveryCode, type RecoveryCodeCodec } from './recovery-code-rules.js';

export type RecoveryCodeService = ReturnType<typeof createRecoveryCodeService>;

const wrongCode = () => badInput('The recovery code is wrong or already used.', 'recoveryCode');

/**
 * One-time recovery codes, issued with a confirmed TOTP. Each has 50 random bits, so guessing one is
 * hopeless even without a lockout (ten live codes, at most the per-account limit of tries a minute): a
 * customer whose TOTP is locked, or whose phone is lost, can still use them.
 */
export function createRecoveryCodeService(deps: {
  uow: UnitOfWork;
  clock: Clock;
  stepUp: StepUpGuard;
  codec: RecoveryCodeCodec;
  perAccount: AttemptLimiter;
}) {
  const { uow, clock } = deps;
  return {
    /**
     * Step-up with a recovery code: marks it used in one statement, so it works once even when sent twice
     * at the same moment. The code is looked up by its hash, so no comparison ever touches the code itself.
     */
    async verify(auth: Authentication, raw: string, actor: Actor): Promise<void> {
      await consumeAttempts('verification', [{ limiter: deps.perAccount, key: accountAttemptKey(auth.customerId) }]);
      const code = normaliseRecoveryCode(raw);
      if (code === null) throw badInput('A recovery code has 10 letters and digits, such as abcde-23456.', 'recoveryCode');
      await uow.transaction(async (tx) => {
        const at = clock.now();
        if (!(await tx.factors.useRecoveryCode(auth.customerId, deps.codec.hash(code), at))) throw wrongCode();
        await tx.events.append([credentialsChanged(auth.customerId, ['credentials.recoveryCodes'], actor, at)]);
      });
    },

    /** Replaces every recovery code with a fresh set, shown only now (a sensitive action). */
    async regenerate(auth: Authentication, actor: Actor): Promise<string[]> {
      await deps.stepUp.require(auth);
      const { codes, hashes } = newRecoveryCodes(deps.codec);
      await uow.transaction(async (tx) => {
        // The customer first, as an erasure locks them (then the factor): no deadlock, and no codes after it.
        await lockRegistered(tx, auth.customerId, 'have recovery codes');
        const totp = await tx.factors.lockTotp(auth.customerId);
        if (!totp?.confirmed) throw conflict('Recovery codes come with a second factor: enable TOTP first.');
        const at = clock.now();
        await tx.factors.replaceRecoveryCodes(auth.customerId, hashes, at);
        await tx.events.append([credentialsChanged(auth.customerId, ['credentials.recoveryCodes'], actor, at)]);
      });
      return codes;
    },
  };
}
