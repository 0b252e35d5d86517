import type { Clock } from '../clock.js';
import type { PasswordHasher } from '../credentials/credential-store.js';
import type { PasswordPolicy } from '../credentials/password-policy.js';
import { normaliseEmail } from '../customers/email.js';
import { badInput, conflict, DomainError, notFound, stepUpRequired, unauthenticated } from '../errors.js';
import { type AttemptLimiter, consumeAttempts, perClient } from '../sessions/attempt-limiter.js';
import { checkPasswordLength, createPasswordAttempts } from '../credentials/password-attempts.js';
import type { LockoutPolicy } from '../sessions/lockout.js';
import type { UnitOfWork } from '../stores.js';
import { WRONG_TOTP_CODE } from '../factors/totp-attempt.js';
import type { StaffMember, StaffRole, StaffTokenIssuer } from './staff.js';
import type { StaffTotp } from './staff-totp.js';

export interface NewStaffMember {
  email: string;
  name: string;
  role: StaffRole;
  password: string;
}

export interface StaffServiceDeps {
  uow: UnitOfWork;
  clock: Clock;
  newId: () => string;
  hasher: PasswordHasher;
  passwordPolicy: PasswordPolicy;
  lockout: LockoutPolicy;
  tokens: StaffTokenIssuer;
  signInLimits: { perIp: AttemptLimiter; perAccount: AttemptLimiter };
  totp: StaffTotp;
}

const wrongCredentials = () => unauthenticated('The email or password is wrong, or the account is locked for a while.');
const lastAdmin = () => conflict('This is the last active administrator: make another one first.');
const noTotp = () => notFound('This staff member has no TOTP.');
/** The per-account limiter's key of a staff email: staff emails count apart from customers'. */
const staffAttemptKey = (email: string) => `staff:${email.toLowerCase()}`;

export type StaffService = ReturnType<typeof createStaffService>;

/**
 * Agents and administrators: creation (by an administrator, or the bootstrap for the first one), password
 * sign-in with the customers' lockout and limits, sign-out, role changes and disabling. There is always at
 * least one active administrator once there was one.
 */
export function createStaffService(deps: StaffServiceDeps) {
  const { uow, clock } = deps;
  const passwords = createPasswordAttempts({ ...deps, passwords: (stores) => stores.staff });

  function checkName(name: string): string {
    const trimmed = name.trim();
    if (trimmed.length === 0 || trimmed.length > 200) throw badInput('name must have 1 to 200 characters.', 'name');
    return trimmed;
  }

  async function create(input: NewStaffMember): Promise<StaffMember> {
    const email = normaliseEmail(input.email);
    const name = checkName(input.name);
    deps.passwordPolicy.check(input.password, { email });
    if (await uow.read.staff.findByEmail(email)) throw conflict('A staff member has this email.', 'email');
    const passwordHash = await deps.hasher.hash(input.password.normalize('NFKC'));
    const at = clock.now();
    const member: StaffMember = { id: deps.newId(), email, name, role: input.role, tokenVersion: 0, disabledAt: null, totpEnabled: false, createdAt: at, updatedAt: at };
    if (!(await uow.read.staff.insert(member, passwordHash))) throw conflict('A staff member has this email.', 'email');
    return member;
  }

  /** Applies a change that may remove an administrator, refusing to remove the last active one. */
  async function change(id: string, changes: Parameters<UnitOfWork['read']['staff']['update']>[1], removesAdmin: (m: StaffMember) => boolean) {
    return uow.transaction(async (tx) => {
      await tx.staff.lockAll();
      const member = await tx.staff.findById(id);
      if (!member) throw notFound(`No staff member has id ${id}.`);
      if (removesAdmin(member) && (await tx.staff.countActiveAdmins(id)) === 0) throw lastAdmin();
      const updated = await tx.staff.update(id, changes, clock.now());
      return updated!;
    });
  }

  /** The signed-in member, still active, with one more attempt (`what`) counted against their sign-in limit. */
  async function countAttemptOf(id: string, what: string): Promise<StaffMember> {
    const member = await uow.read.staff.findById(id);
    if (!member || member.disabledAt) throw unauthenticated('This staff member cannot sign in.');
    await consumeAttempts(what, [{ limiter: deps.signInLimits.perAccount, key: staffAttemptKey(member.email) }]);
    return member;
  }

  /** The member's current password, proved again under the lockout and the per-account limit. */
  async function reauthenticate(id: string, currentPassword: string): Promise<StaffMember> {
    checkPasswordLength(currentPassword, 'currentPassword');
    const member = await countAttemptOf(id, 'sign-in');
    if (!(await passwords.verify(member.id, currentPassword))) {
      throw badInput('The current password is wrong, or too many wrong attempts locked it for a while.', 'currentPassword');
    }
    return member;
  }

  /** A new token for the member as they are now; `mfa` when this proof included their TOTP. */
  async function tokenFor(member: StaffMember, mfa: boolean) {
    const { token, expiresIn } = await deps.tokens.issue({ staffId: member.id, role: member.role, tokenVersion: member.tokenVersion, authTime: clock.now(), mfa });
    return { accessToken: token, expiresIn, member };
  }

  async function setPassword(member: StaffMember, newPassword: string): Promise<StaffMember> {
    deps.passwordPolicy.check(newPassword, { email: member.email });
    const hash = await deps.hasher.hash(newPassword.normalize('NFKC'));
    const updated = await uow.read.staff.setPassword(member.id, hash, clock.now());
    if (!updated) throw notFound(`No staff member has id ${member.id}.`);
    return updated;
  }

  return {
    /** An administrator adds an agent or administrator. */
    create,

    /**
     * The bootstrap path (CLI or environment): creates the first administrator, and only while no active
     * administrator exists; returns null when one already does.
     */
    async createFirstAdmin(input: Omit<NewStaffMember, 'role'>): Promise<StaffMember | null> {
      if ((await uow.read.staff.countActiveAdmins()) > 0) return null;
      try {
        return await create({ ...input, role: 'ADMIN' });
      } catch (error) {
        // Another process starting at the same time made it first.
        if (error instanceof DomainError && error.code === 'CONFLICT' && (await uow.read.staff.countActiveAdmins()) > 0) return null;
        throw error;
      }
    },

    /**
     * Sign-in for staff, with the customers' limits and lockout, and one answer for every wrong email or
     * password. A member with a TOTP also needs its code: without one, after the right password, the answer
     * is STEP_UP_REQUIRED naming `totp`; a wrong code is UNAUTHENTICATED and counts towards the TOTP's lockout.
     */
    async signIn(command: { email: string; password: string; totp?: string | null; ip?: string | null }) {
      checkPasswordLength(command.password);
      const email = normaliseEmail(command.email);
      await consumeAttempts('sign-in', [
        perClient(deps.signInLimits.perIp, command.ip),
        { limiter: deps.signInLimits.perAccount, key: staffAttemptKey(email) },
      ]);
      const member = await uow.read.staff.findByEmail(email);
      const active = member && !member.disabledAt ? member : null;
      if (!(await passwords.verify(active?.id ?? null, command.password)) || !active) throw wrongCredentials();
      if (!active.totpEnabled) return tokenFor(active, false);
      if (command.totp == null) throw stepUpRequired('This staff member signs in with a TOTP code too: send it as `totp`.', ['totp']);
      const verified = await deps.totp.verify(active.id, command.totp);
      if (!verified || verified.disabledAt) throw unauthenticated(WRONG_TOTP_CODE);
      return tokenFor(verified, true);
    },

    /** Ends every token of this staff member at once. */
    async signOut(id: string): Promise<void> {
      await uow.read.staff.update(id, { bumpTokenVersion: true }, clock.now());
    },

    /**
     * A staff member changes their own password, proving the current one (under the lockout and the
     * per-account limit); every token they hold ends, and a new one, as strong as `mfa` says the current
     * one is, is returned for this client.
     */
    async changePassword(id: string, currentPassword: string, newPassword: string, mfa: boolean) {
      const member = await reauthenticate(id, currentPassword);
      return tokenFor(await setPassword(member, newPassword), mfa);
    },

    /** Starts a TOTP enrolment for the member, who proves their password again; the seed stays pending until confirmed. */
    async enrollTotp(id: string, currentPassword: string) {
      return deps.totp.enroll(await reauthenticate(id, currentPassword));
    },

    /** Turns the pending TOTP on with its first code; every other token ends, and a new one (acr `mfa`) is returned. */
    async confirmTotp(id: string, code: string) {
      // Each code tried counts against the member's sign-in limit, as at sign-in.
      await countAttemptOf(id, 'verification');
      const member = await deps.totp.confirm(id, code);
      if (!member) throw badInput(WRONG_TOTP_CODE, 'code');
      if (member.disabledAt) throw unauthenticated('This staff member cannot sign in.');
      return tokenFor(member, true);
    },

    /** The member removes their own TOTP, proving their password again; every token ends and a new one is returned. */
    async removeTotp(id: string, currentPassword: string) {
      await reauthenticate(id, currentPassword);
      const member = await uow.read.staff.removeTotp(id, clock.now());
      if (!member) throw noTotp();
      return tokenFor(member, false);
    },

    /**
     * An administrator removes another member's TOTP (a lost device); every token of theirs ends. Their own
     * goes with removeStaffTotp, which asks for the password. `by` is null for the CLI.
     */
    async resetTotp(id: string, by: string | null): Promise<StaffMember> {
      if (id === by) throw badInput('Remove your own TOTP with removeStaffTotp.', 'id');
      const member = await uow.read.staff.removeTotp(id, clock.now());
      if (!member) throw (await uow.read.staff.findById(id)) ? noTotp() : notFound(`No staff member has id ${id}.`);
      return member;
    },

    /**
     * An administrator sets another member's password (a reset); every token of theirs ends. Their own goes
     * with changeStaffPassword, which asks for the current one. `by` is the administrator.
     */
    async resetPassword(id: string, newPassword: string, by: string): Promise<StaffMember> {
      if (id === by) throw badInput('Change your own password with changeStaffPassword.', 'id');
      const member = await uow.read.staff.findById(id);
      if (!member) throw notFound(`No staff member has id ${id}.`);
      return setPassword(member, newPassword);
    },

    /** A role change takes effect at once, since every request reads the role from the store. */
    setRole: (id: string, role: StaffRole) => change(id, { role }, (m) => m.role === 'ADMIN' && role !== 'ADMIN' && !m.disabledAt),

    /** Disabling ends the member's tokens; enabling does not bring them back. */
    setEnabled(id: string, enabled: boolean) {
      return change(id, enabled ? { disabledAt: null } : { disabledAt: clock.now(), bumpTokenVersion: true }, (m) => !enabled && m.role === 'ADMIN' && !m.disabledAt);
    },

    list: () => uow.read.staff.list(),
    findById: (id: string) => uow.read.staff.findById(id),
    findByEmail: (email: string) => uow.read.staff.findByEmail(normaliseEmail(email)),
  };
}
