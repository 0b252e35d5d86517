import { afterFailure, afterSuccess, isLocked, type LockoutPolicy, type LockoutState } from '../sessions/lockout.js';
import type { StoredTotp } from './factor-store.js';
import type { SecretSealer } from './secret-sealer.js';
import { type TotpAlgorithm, type TotpParameters, verifyTotp } from './totp-rules.js';

/** What a refused code is told, whatever the reason: wrong, used already, or the factor locked. */
export const WRONG_TOTP_CODE = 'The code is wrong, already used, or too many wrong codes locked it for a while.';

/** What checking codes needs: the seed's sealer, the HOTP arithmetic, the parameters and the lockout. */
export interface TotpCheck {
  sealer: SecretSealer;
  algorithm: TotpAlgorithm;
  params: TotpParameters;
  /** Failures in a row lock the factor, as wrong passwords lock the password. */
  lockout: LockoutPolicy;
}

/** The state a TOTP keeps after an attempt: the step accepted (if any), confirmation, the lockout. */
export type TotpState = Pick<StoredTotp, 'confirmed' | 'lastStep'> & LockoutState;

/**
 * Checks `code` against a TOTP (a customer's or a staff member's) whose row the caller holds locked, so two
 * requests with one code serialise: the first records its step, the second finds it used. Answers the
 * accepted step (or null) and the state to save: one more failure towards the lockout, or the step and
 * confirmation. A locked factor accepts nothing and has nothing to save.
 */
export async function attemptTotp(check: TotpCheck, totp: StoredTotp, code: string, sealContext: string, at: Date): Promise<{ step: number | null; state: TotpState | null }> {
  if (isLocked(totp, at)) return { step: null, state: null };
  const secret = await check.sealer.open(totp.sealedSecret, sealContext);
  const step = verifyTotp({ secret, code, at, lastStep: totp.lastStep, params: check.params, algorithm: check.algorithm });
  const lockout = step === null ? afterFailure(totp, check.lockout, at) : afterSuccess();
  return { step, state: { confirmed: totp.confirmed || step !== null, lastStep: step ?? totp.lastStep, ...lockout } };
}
