import { type Actor, actorLabel } from '../actor.js';
import type { Clock } from '../clock.js';
import { normaliseEmail } from '../customers/email.js';
import { badInput, forbidden } from '../errors.js';
import { type AttemptLimiter, consumeAttempts, perClient } from '../sessions/attempt-limiter.js';
import { afterSuccess } from '../sessions/lockout.js';
import type { UnitOfWork } from '../stores.js';
import type { PasswordHasher } from './credential-store.js';
import type { PasswordPolicy } from './password-policy.js';

/** Makes recovery codes and the one-way form they are stored in. */
export interface RecoveryCodeCodec {
  generate(): string;
  hash(code: string): string;
}

/** Sends a recovery code to the address of the account it recovers, and says when it was used. */
export interface RecoveryMailer {
  send(mail: { to: string; code: string; expiresAt: Date }): Promise<void>;
  /** Tells the account's address that its password was just set by recovery: the owner learns of a takeover. */
  sendPasswordChanged(mail: { to: string; at: Date }): Promise<void>;
}

export type RecoveryService = ReturnType<typeof createRecoveryService>;

/** Longest code looked up: a real one has 43 characters. */
const MAX_CODE_LENGTH = 200;

const invalidCode = () => badInput('The recovery code is wrong, already used or expired: ask for a new one.', 'code');

/**
 * Password recovery by email: a one-time code, mailed to a registered customer's address, sets a new
 * password. Asking is answered once the limits have counted it, the same whether or not the email has an
 * account: looking the account up, recording the code and mailing it all happen after the answer, so
 * neither the answer nor its time tells whether there was one.
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
  /** Recording or mailing a code failed after the answer: the customer sees nothing and asks again. */
  onMailError: (error: unknown) => void;
}) {
  const { uow, clock } = deps;
  /** Codes being recorded and mailed after their answer, so a process that stops can wait for them. */
  const pending = new Set<Promise<void>>();

  /** Runs `work` after the answer, kept in `pending` until it ends; a failure goes to onMailError. */
  function afterAnswer(work: () => Promise<void>): void {
    const run = new Promise<void>((resolve) => setImmediate(resolve))
      .then(work)
      .catch((error: unknown) => {
        try {
          deps.onMailError(error);
        } catch {
          // A failing logger must not turn into an unhandled rejection that ends the process.
        }
      });
    pending.add(run);
    void run.finally(() => pending.delete(run));
  }

  async function recordAndMail(mailer: RecoveryMailer, email: string): Promise<void> {
    const code = deps.codes.generate();
    const createdAt = clock.now();
    const expiresAt = new Date(createdAt.getTime() + deps.ttlSeconds * 1000);
    const account = await uow.read.credentials.createRecoveryCode(email, { id: deps.newId(), codeHash: deps.codes.hash(code), expiresAt, createdAt });
    if (account) await mailer.send({ to: account.email, code, expiresAt });
  }

  return {
    /** Waits for the codes still being recorded and mailed (a process that stops calls it first). */
    async settle(): Promise<void> {
      await Promise.allSettled([...pending]);
    },

    /** Mails a code to the account with this email, if there is one: the caller learns nothing either way. */
    async start(command: { email: string; ip: string | null }): Promise<void> {
      const email = normaliseEmail(command.email);
      const { mailer } = deps;
      if (!mailer) throw forbidden('Password recovery is off: this server has no KITH_SMTP_URL to send codes with.');
      await consumeAttempts('recovery', [
        perClient(deps.limits.perIp, command.ip),
        { limiter: deps.limits.perEmail, key: email.toLowerCase() },
      ]);
      afterAnswer(() => recordAndMail(mailer, email));
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
      const changed = await uow.transaction(async (tx) => {
        const at = clock.now();
        // The account's password row first, then the code: two completions of one account (one code twice,
        // or two of its codes) take their locks in the same order, one after the other.
        await tx.credentials.lockPassword(found.customerId);
        const still = await tx.credentials.findRecoveryCode(codeHash, at, true);
        if (!still || still.customerId !== found.customerId) throw invalidCode();
        await tx.credentials.setPassword(still.customerId, hash, at);
        await tx.credentials.saveLockout(still.customerId, afterSuccess());
        await tx.credentials.useRecoveryCodes(still.customerId, at);
        await tx.sessions.revokeAllOf(still.customerId, 'password_recovered', at);
        await tx.events.append([
          { customerId: still.customerId, type: 'customer.updated', changedFields: ['credentials.password'], actor: actorLabel(actor), occurredAt: at },
        ]);
        return { to: still.email, at };
      });
      const { mailer } = deps;
      if (mailer) afterAnswer(() => mailer.sendPasswordChanged(changed));
    },
  };
}
