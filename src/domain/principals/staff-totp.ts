import type { Clock } from '../clock.js';
import { conflict } from '../errors.js';
import { attemptTotp, type TotpCheck } from '../factors/totp-attempt.js';
import { normaliseTotpCode, type TotpProvisioning } from '../factors/totp-rules.js';
import type { UnitOfWork } from '../stores.js';
import type { StaffMember } from './staff.js';

export interface StaffTotpDeps extends TotpCheck {
  uow: UnitOfWork;
  clock: Clock;
  /** The issuer an authenticator app shows next to the code. */
  issuer: string;
}

export type StaffTotp = ReturnType<typeof createStaffTotp>;

/** Each seed is sealed with its owner in the context, apart from customers' seeds. */
const sealContext = (staffId: string) => `staff-totp:${staffId}`;

/**
 * A staff member's TOTP (RFC 6238): enrolment with a pending seed, confirmation by a first code, and the
 * check of a sign-in's code. The same rules as customers' TOTP (one step either side, no code twice, the
 * lockout); no recovery codes: an administrator resets a lost one (or the CLI, for the last administrator).
 */
export function createStaffTotp(deps: StaffTotpDeps) {
  const { uow, clock } = deps;

  /**
   * Checks `code` under the member's row lock and saves the outcome in its own transaction, so a wrong code
   * counts even though the request then fails. `expect` is the state the TOTP must be in (else CONFLICT).
   */
  function check(staffId: string, rawCode: string, expect: 'pending' | 'confirmed'): Promise<StaffMember | null> {
    const code = normaliseTotpCode(rawCode);
    return uow.transaction(async (tx) => {
      const totp = await tx.staff.lockTotp(staffId);
      if (expect === 'pending' && (!totp || totp.confirmed)) {
        throw conflict(totp ? 'TOTP is already confirmed.' : 'There is no TOTP enrolment to confirm: call enrollStaffTotp first.', 'code');
      }
      if (!totp?.confirmed && expect === 'confirmed') return null;
      const at = clock.now();
      const { step, state } = await attemptTotp(deps, totp!, code, sealContext(staffId), at);
      if (state) await tx.staff.saveTotpState(staffId, state, at);
      if (step === null) return null;
      // Turning the TOTP on ends every token signed in without it. Either way the member comes from this
      // transaction, so a token issued for it dies with any later removal of the TOTP.
      return expect === 'pending' ? tx.staff.update(staffId, { bumpTokenVersion: true }, at) : tx.staff.findById(staffId);
    });
  }

  return {
    /** A new pending seed, replacing a pending one; CONFLICT while a confirmed TOTP exists. */
    async enroll(member: StaffMember): Promise<TotpProvisioning> {
      const secret = deps.algorithm.newSecret();
      const sealed = await deps.sealer.seal(secret, sealContext(member.id));
      if (!(await uow.read.staff.savePendingTotp(member.id, sealed, clock.now()))) {
        throw conflict('TOTP is already enabled: remove it (removeStaffTotp) before enrolling again.');
      }
      return deps.algorithm.provisioning(secret, { issuer: deps.issuer, label: member.email }, deps.params);
    },
    /** Turns the pending TOTP on with its first code, ending the member's tokens: the member as now, or null for a wrong code. */
    confirm: (staffId: string, code: string) => check(staffId, code, 'pending'),
    /** The member, when a sign-in's code is right for their confirmed TOTP (never twice, not while it is locked); else null. */
    verify: (staffId: string, code: string) => check(staffId, code, 'confirmed'),
  };
}
