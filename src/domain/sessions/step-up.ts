import type { Clock } from '../clock.js';
import { stepUpRequired } from '../errors.js';

/** How strongly, and how recently, the caller of a request proved who they are (from its access token). */
export interface Authentication {
  customerId: string;
  sessionId: string;
  authTime: Date;
  acr: string;
  amr: readonly string[];
}

/** A second factor a customer can enrol; each factor module reports the ones a customer has. */
export type SecondFactor = 'totp' | 'recovery_code' | 'passkey';

/** Every way to step up: re-entering the password, or a second factor. */
export type StepUpMethod = 'password' | SecondFactor;

/** The acr of a session whose last proof included a second factor. */
export const MFA_ACR = 'mfa';
/** The acr of a session proved by password alone. */
export const PASSWORD_ACR = 'pwd';

/** RFC 8176 method names recorded in `amr` for each way of proving: recovery codes are one-time passwords too. */
const AMR: Record<StepUpMethod, string> = { password: 'pwd', totp: 'otp', recovery_code: 'otp', passkey: 'hwk' };

/**
 * What a session says after a fresh proof: a second factor adds its method and raises acr to `mfa`; the
 * password alone resets the session to `pwd`, so re-entering a password never keeps an earlier `mfa`.
 */
export function afterProof(current: Pick<Authentication, 'amr'>, method: StepUpMethod): { acr: string; amr: string[] } {
  if (method === 'password') return { acr: PASSWORD_ACR, amr: [AMR.password] };
  return { acr: MFA_ACR, amr: [...new Set([...current.amr, AMR[method]])] };
}

/** Reports which second factors a customer has enrolled (one source per factor module). */
export type SecondFactorSource = (customerId: string) => Promise<readonly SecondFactor[]>;

/**
 * Whether a sensitive action may go ahead: the caller proved who they are within the window, and, when the
 * customer has any second factor, that proof included one (acr `mfa`). A customer without second factors
 * steps up by re-entering the password, so they can enrol their first factor.
 */
export function hasRecentStepUp(auth: Authentication, secondFactors: readonly SecondFactor[], now: Date, windowSeconds: number): boolean {
  const age = now.getTime() - auth.authTime.getTime();
  if (age > windowSeconds * 1000) return false;
  return secondFactors.length === 0 || auth.acr === MFA_ACR;
}

/** What a frontend should offer: the customer's second factors, or the password when they have none. */
export function stepUpMethods(secondFactors: readonly SecondFactor[]): StepUpMethod[] {
  return secondFactors.length === 0 ? ['password'] : [...new Set(secondFactors)];
}

export type StepUpGuard = ReturnType<typeof createStepUpGuard>;

/** Guards sensitive actions with a recent step-up; the window comes from configuration (default 10 minutes). */
export function createStepUpGuard(deps: { clock: Clock; windowSeconds: number; sources: readonly SecondFactorSource[] }) {
  async function secondFactorsOf(customerId: string): Promise<SecondFactor[]> {
    const lists = await Promise.all(deps.sources.map((source) => source(customerId)));
    return [...new Set(lists.flat())];
  }

  return {
    secondFactorsOf,
    /** The methods this customer can step up with right now. */
    methodsOf: async (customerId: string) => stepUpMethods(await secondFactorsOf(customerId)),
    /** Throws STEP_UP_REQUIRED, naming the customer's methods, unless `auth` is a recent enough proof. */
    async require(auth: Authentication): Promise<void> {
      const factors = await secondFactorsOf(auth.customerId);
      if (hasRecentStepUp(auth, factors, deps.clock.now(), deps.windowSeconds)) return;
      const needed = factors.length === 0 ? 'Re-enter your password' : 'Confirm with a second factor';
      throw stepUpRequired(`${needed} (stepUp) before this action.`, stepUpMethods(factors));
    },
  };
}
