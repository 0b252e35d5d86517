import type { Clock } from '../clock.js';
import type { PasswordHasher } from '../credentials/credential-store.js';
import { normaliseEmail } from '../customers/email.js';
import { badInput, unauthenticated } from '../errors.js';
import { accountAttemptKey, type AttemptLimiter, consumeAttempts, perClient } from './attempt-limiter.js';
import type { UnitOfWork } from '../stores.js';
import type { LockoutPolicy } from './lockout.js';
import { checkPasswordLength, createPasswordAttempts } from '../credentials/password-attempts.js';
import type { AccessTokenIssuer, RefreshTokenCodec, Session, SessionTokens } from './session.js';
import { afterProof, type Authentication, type StepUpMethod } from './step-up.js';

export interface SignInCommand {
  email: string;
  password: string;
  userAgent?: string | null;
  ip?: string | null;
}

export interface SessionServiceDeps {
  uow: UnitOfWork;
  clock: Clock;
  newId: () => string;
  hasher: PasswordHasher;
  accessTokens: AccessTokenIssuer;
  refreshTokens: RefreshTokenCodec;
  lockout: LockoutPolicy;
  /** Sign-in attempts per client IP and per email, counted before anything is checked. */
  signInLimits: { perIp: AttemptLimiter; perAccount: AttemptLimiter };
  /** A session ends after this long without a refresh, or this long after sign-in, whichever is first. */
  lifetimes: { idleSeconds: number; absoluteSeconds: number };
}

/** One answer for every failed sign-in, so it tells nobody whether the email exists or is locked. */
const wrongCredentials = () => unauthenticated('The email or password is wrong, or the account is locked for a while.');
const wrongPassword = () => badInput('The password is wrong, or too many wrong attempts locked it for a while.', 'password');
const invalidRefresh = () => unauthenticated('The refresh token is not valid: sign in again.');

export type SessionService = ReturnType<typeof createSessionService>;

/**
 * Password sign-in with lockout, rotating refresh tokens with reuse detection (OAuth 2.0 Security BCP),
 * and sign-out. Every failure costs the same work: an unknown email is verified against a dummy hash.
 */
export function createSessionService(deps: SessionServiceDeps) {
  const { uow, clock } = deps;
  const passwords = createPasswordAttempts({ ...deps, passwords: (stores) => stores.credentials });

  /** Opens the session of a sign-in whose password was checked against `passwordHash`. */
  async function open(customerId: string, passwordHash: string, at: Date, meta: { userAgent: string | null; ip: string | null }): Promise<SessionTokens> {
    const session: Session = {
      id: deps.newId(),
      customerId,
      createdAt: at,
      lastUsedAt: at,
      authTime: at,
      acr: 'pwd',
      amr: ['pwd'],
      userAgent: meta.userAgent?.slice(0, 512) ?? null,
      ip: meta.ip ?? null,
      revokedAt: null,
    };
    const refreshToken = deps.refreshTokens.generate(session.id);
    if (!(await uow.read.sessions.createAfterPassword(session, deps.refreshTokens.hash(refreshToken), passwordHash))) throw wrongCredentials();
    return { ...(await issue(session)), refreshToken, session };
  }

  async function issue(session: Session): Promise<{ accessToken: string; expiresIn: number }> {
    const { token, expiresIn } = await deps.accessTokens.issue({
      customerId: session.customerId,
      sessionId: session.id,
      authTime: session.authTime,
      acr: session.acr,
      amr: session.amr,
    });
    return { accessToken: token, expiresIn };
  }

  /** When the session passes its idle or absolute lifetime, unless it is refreshed first. */
  function endOf(session: Session): Date {
    const idle = session.lastUsedAt.getTime() + deps.lifetimes.idleSeconds * 1000;
    const absolute = session.createdAt.getTime() + deps.lifetimes.absoluteSeconds * 1000;
    return new Date(Math.min(idle, absolute));
  }

  /** Past its idle or absolute lifetime: such a session can be neither refreshed nor stepped up. */
  const expired = (session: Session, at: Date): boolean => at.getTime() > endOf(session).getTime();
  /** Those of `sessions` not past a lifetime at `at`. */
  const alive = (sessions: readonly Session[], at: Date): Session[] => sessions.filter((session) => !expired(session, at));

  /** Records a fresh proof in a live session and issues an access token that carries it. */
  async function elevate(auth: Authentication, method: StepUpMethod): Promise<{ accessToken: string; expiresIn: number; session: Session }> {
    const at = clock.now();
    const current = await uow.read.sessions.findActive(auth.sessionId);
    const session = current && !expired(current, at) ? await uow.read.sessions.elevate(auth.sessionId, { authTime: at, ...afterProof(auth, method) }) : null;
    if (!session) throw unauthenticated('The session has ended: sign in again.');
    return { ...(await issue(session)), session };
  }

  /** Counts a step-up attempt of a signed-in customer against the per-account limit, before anything is checked. */
  const countStepUpAttempt = (customerId: string) =>
    consumeAttempts('sign-in', [{ limiter: deps.signInLimits.perAccount, key: accountAttemptKey(customerId) }]);

  return {
    elevate,
    countStepUpAttempt,

    /**
     * Step-up by re-entering the password: the same limits, lockout and work as a sign-in. The session's
     * acr becomes `pwd` with a fresh auth_time, which is enough for customers without a second factor.
     */
    async stepUpWithPassword(auth: Authentication, password: string) {
      checkPasswordLength(password);
      await countStepUpAttempt(auth.customerId);
      if (!(await passwords.verify(auth.customerId, password))) throw wrongPassword();
      return elevate(auth, 'password');
    },

    async signIn(command: SignInCommand): Promise<SessionTokens> {
      checkPasswordLength(command.password);
      const email = normaliseEmail(command.email);
      // Every attempt counts against the limits, whatever it turns out to be, so guessing across accounts or
      // from many requests hits a shared limit before any password is checked. An attempt the limits allow
      // is then counted against the account's lockout, in the statement that finds the account.
      await consumeAttempts('sign-in', [
        perClient(deps.signInLimits.perIp, command.ip),
        { limiter: deps.signInLimits.perAccount, key: email.toLowerCase() },
      ]);
      passwords.refuseWhenBusy();
      const counted = await uow.read.credentials.countSignInFailure(email, deps.lockout, clock.now());
      if (!(await passwords.matches(counted?.hash ?? null, command.password)) || !counted) throw wrongCredentials();
      // Opening the session clears the lockout, in the statement that records it.
      return open(counted.customerId, counted.hash, clock.now(), { userAgent: command.userAgent ?? null, ip: command.ip ?? null });
    },

    /**
     * Rotates the refresh token. Any other token Kith issued for a live session (a rotated one, however
     * old) revokes it, as does an account that is no longer active or a session past its lifetime; a token
     * Kith did not issue is refused and changes nothing.
     */
    async refresh(refreshToken: string): Promise<SessionTokens> {
      // A token whose tag does not check out is refused here, before the session row is locked.
      const read = refreshToken.length <= 200 ? deps.refreshTokens.read(refreshToken) : null;
      if (!read) throw invalidRefresh();
      const { sessionId } = read;
      const hash = deps.refreshTokens.hash(refreshToken);
      const result = await uow.transaction(async (tx) => {
        const found = await tx.sessions.lockForRefresh(sessionId);
        if (!found || found.session.revokedAt) return null;
        const at = clock.now();
        const end = async (reason: string) => {
          await tx.sessions.revoke(sessionId, reason, at);
          return null;
        };
        if (found.refreshHash !== hash) {
          // A token Kith issued for this session, but not its current one, is reuse (one from before tokens
          // had a tag is known as the previous one). Anything else was made up around the session id, which
          // is no secret (the access token's `sid`): refused, and the session goes on.
          const reused = read.issuedByKith || hash === found.previousRefreshHash;
          return reused ? end('refresh_token_reuse') : null;
        }
        if (found.customerStatus !== 'REGISTERED') return end('account_inactive');
        if (expired(found.session, at)) return end('expired');
        const next = deps.refreshTokens.generate(sessionId);
        await tx.sessions.rotate(sessionId, hash, deps.refreshTokens.hash(next), at);
        return { session: { ...found.session, lastUsedAt: at }, next };
      });
      if (!result) throw invalidRefresh();
      // Signing after the commit rarely fails: the signing key is in memory from the start, and a failed read
      // of a newer one keeps it for a while (signing-keys.ts).
      return { ...(await issue(result.session)), refreshToken: result.next, session: result.session };
    },

    async signOut(sessionId: string): Promise<void> {
      await uow.read.sessions.revoke(sessionId, 'signed_out', clock.now());
    },

    endOf,

    /** Active sessions of these customers, newest first (for the graph's loader): neither revoked nor past a lifetime. */
    async listActive(customerIds: readonly string[]) {
      const at = clock.now();
      return alive(await uow.read.sessions.listActive(customerIds), at);
    },

    /**
     * Ends an active session, only if it belongs to `ownedBy` when given; returns the customer whose
     * session ended, or null when none did.
     */
    revoke: (sessionId: string, ownedBy?: string) => uow.read.sessions.revoke(sessionId, 'revoked', clock.now(), ownedBy),

    /** Ends every other session of the customer; returns how many of them were still alive. */
    async revokeOthers(customerId: string, keepSessionId: string) {
      const at = clock.now();
      return alive(await uow.read.sessions.revokeAllOf(customerId, 'revoked_others', at, keepSessionId), at).length;
    },

    /**
     * The session behind an access token, if it is still active: revocation takes effect at once, and so
     * does the end of its lifetime (a token refreshed just before it would otherwise outlive it).
     */
    async findActive(sessionId: string) {
      const session = await uow.read.sessions.findActive(sessionId);
      return session && !expired(session, clock.now()) ? session : null;
    },
  };
}
