import { type Actor, actorLabel } from '../actor.js';
import type { Clock } from '../clock.js';
import { normaliseEmail } from '../customers/email.js';
import { badInput, forbidden } from '../errors.js';
import { type AttemptLimiter, clientKeyOf, consumeAttempts } from '../sessions/attempt-limiter.js';
import { afterSuccess } from '../sessions/lockout.js';
import type { UnitOfWork } from '../stores.js';
import type { PasswordHasher } from './credential-store.js';
import type { PasswordPolicy } from './password-policy.js';

/** Makes recovery codes and the one-way form they are stored in. */
export interface RecoveryCodeCodec {
  generate(): string;
  hash(code: string): string;
}

/** Sends a recovery code to the address of the account it recovers. */
export interface RecoveryMailer {
  send(mail: { to: string; code: string; expiresAt: Date }): Promise<void>;
}

export type RecoveryService = ReturnType<typeof createRecoveryService>;

/** Longest code looked up: a real one has 43 characters. */
const MAX_CODE_LENGTH = 200;

const invalidCode = () => badInput('The recovery code is wrong, already used or expired: ask for a new one.', 'code');

/**
 * Password recovery by email: a one-time code, mailed to a registered customer's address, sets a new
 * password. Asking gives the same answer, after the same statements, whether or not the email has an
 * account; the mail leaves after the answer, so its time tells nothing either.
 */
export function createRecoveryService(deps: {
  uow: UnitOfWork;
  clock: Clock;
  newId: () => string;
  hasher: PasswordHasher;
  policy: PasswordPolicy;
  codes: RecoveryCodeCodec;
  /** Null when this server cannot send mail (no KITH_SMTP_URL): recovery is off. */
  mailer: RecoveryMailer | null;
  ttlSeconds: number;
  limits: { perIp: AttemptLimiter; perEmail: AttemptLimiter };
  /** A mail that could not be sent: the customer sees nothing and asks again. */
  onMailError: (error: unknown) => void;
}) {
  const { uow, clock } = deps;
  return {
    /** Mails a code to the account with this email, if there is one: the caller learns nothing either way. */
    async start(command: { email: string; ip: string | null }): Promise<void> {
      const email = normaliseEmail(command.email);
      const { mailer } = deps;
      if (!mailer) throw forbidden('Password recovery is off: this server has no KITH_SMTP_URL to send codes with.');
      await consumeAttempts('recovery', [
        { limiter: deps.limits.perIp, key: command.ip ? clientKeyOf(command.ip) : null },
        { limiter: deps.limits.perEmail, key: email.toLowerCase() },
      ]);
      const code = deps.codes.generate();
      const createdAt = clock.now();
      const expiresAt = new Date(createdAt.getTime() + deps.ttlSeconds * 1000);
      const account = await uow.read.credentials.createRecoveryCode(email, { id: deps.newId(), codeHash: deps.codes.hash(code), expiresAt, createdAt });
      if (account) {
        setImmediate(() => {
          mailer.send({ to: account.email, code, expiresAt }).catch(deps.onMailError);
        });
      }
    },

    /**
     * Sets a new password with a code: marks every code of the customer used, lifts the lockout and ends
     * every session (whoever held one may be who took the account).
     */
    async complete(command: { code: string; newPassword: string }, actor: Actor): Promise<void> {
      const code = command.code.trim();
      if (code.length === 0 || code.length > MAX_CODE_LENGTH) throw invalidCode();
      const codeHash = deps.codes.hash(code);
      const found = await uow.read.credentials.findRecoveryCode(codeHash, clock.now());
      if (!found) throw invalidCode();
      deps.policy.check(command.newPassword, { email: found.email });
      // Hash outside the transaction: argon2 takes tens of milliseconds and must not hold a row lock.
      const hash = await deps.hasher.hash(command.newPassword.normalize('NFKC'));
      await uow.transaction(async (tx) => {
        const at = clock.now();
        // Locked, so two uses of one code cannot both pass.
        const still = await tx.credentials.findRecoveryCode(codeHash, at, true);
        if (!still) throw invalidCode();
        await tx.credentials.setPassword(still.customerId, hash, at);
        await tx.credentials.saveLockout(still.customerId, afterSuccess());
        await tx.credentials.useRecoveryCodes(still.customerId, at);
        await tx.sessions.revokeAllOf(still.customerId, 'password_recovered', at);
        await tx.events.append([
          { customerId: still.customerId, type: 'customer.updated', changedFields: ['credentials.password'], actor: actorLabel(actor), occurredAt: at },
        ]);
      });
    },
  };
}
